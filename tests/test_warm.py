"""Warm workers: nothing of one submission reaches the next, and a dead worker is replaced."""

from __future__ import annotations

import json
import os
import signal

import nbformat
import pytest

from autograder.runner import Limits
from autograder.warm import WarmWorker, plan_bytes

from .conftest import notebook_with

PLAN = {"assignment": "ch03_basics", "notebook": "linear_softmax", "questions": [{
    "name": "probe", "object": "probe", "points": 1.0, "judge": "close", "tolerance": None,
    "kind": {"kind": "call", "harvest": ["return"], "collect": False}, "isolate": {},
    "cases": [{"id": "p1", "public": True, "seed": 0, "args": [], "kwargs": {}}]}]}

LEAVE_TRACES = '''
import os, subprocess, sys
SECRET = "answer-of-student-A-" + "x" * 1000
for folder in (os.path.expanduser("~"), "/tmp"):
    with open(os.path.join(folder, "notes.txt"), "w") as fh:
        fh.write(SECRET)
    os.makedirs(os.path.join(folder, "locked"), exist_ok=True)
    open(os.path.join(folder, "locked", "f"), "w").write(SECRET)
    os.chmod(os.path.join(folder, "locked"), 0o500)
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", "leftover-A"],
                 start_new_session=True)
def probe():
    return "A"
'''

LOOK_AROUND = '''
import os
def probe():
    seen = {"home": sorted(os.listdir(os.path.expanduser("~"))),
            "tmp": sorted(os.listdir("/tmp")), "procs": []}
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                seen["procs"].append(open(f"/proc/{pid}/cmdline", "rb").read()
                                     .replace(b"\\0", b" ").decode())
            except OSError:
                seen["procs"].append("?")
    # Scan this process's whole writable memory (a copy of the worker's) for A's answer.
    needle, found = b"answer-of-student-" + b"A-", False
    with open("/proc/self/maps") as maps, open("/proc/self/mem", "rb", 0) as mem:
        for line in maps:
            addr, perms = line.split()[:2]
            if not perms.startswith("rw"):
                continue
            start, end = (int(x, 16) for x in addr.split("-"))
            try:
                mem.seek(start)
                chunk = mem.read(end - start)
            except (OSError, OverflowError, ValueError):
                continue
            at = chunk.find(needle)
            while at >= 0 and not found:
                # A's text is the needle followed by x's; the needle object here is not.
                found = chunk[at + len(needle): at + len(needle) + 50] == b"x" * 50
                at = chunk.find(needle, at + 1)
    seen["in_memory"] = found
    try:  # IPython's history, had it a database, would be shared with earlier children
        hm = get_ipython().history_manager  # noqa: F821 - defined in the notebook's shell
        seen["history"] = [str(x) for x in hm.search("*student-A*")][:5]
    except Exception:
        seen["history"] = []
    try:
        os.kill(1, 9)  # the worker is pid 1: the kernel ignores this
    except OSError:
        pass
    return seen
'''


def _job(worker: WarmWorker, source: str, tmp_path, limits: Limits | None = None) -> dict:
    path = tmp_path / "nb.ipynb"
    nbformat.write(notebook_with([source]), path)
    p1 = worker.run(path.read_bytes(), plan_bytes(PLAN), limits or Limits())
    assert p1.status == "completed", (p1.status, p1.detail)
    result = p1.results["probe/p1"]
    assert result.get("status") == "ok", (result, p1.cells)
    return result


@pytest.fixture
def worker():
    with WarmWorker(Limits()) as w:
        yield w


def test_nothing_of_one_submission_reaches_the_next(worker, tmp_path):
    # What a submission sees on a fresh worker (mount points of read-only binds that lie
    # under /tmp, e.g. a virtual environment there, are part of the sandbox, not traces).
    baseline = _job(worker, LOOK_AROUND, tmp_path)["value"]
    assert len(baseline["procs"]) == 2  # pid 1 and itself
    assert _job(worker, LEAVE_TRACES, tmp_path)["value"] == "A"
    seen = _job(worker, LOOK_AROUND, tmp_path)["value"]
    assert seen["home"] == baseline["home"] == []
    assert seen["tmp"] == baseline["tmp"]
    assert seen["history"] == []
    assert "notes.txt" not in seen["tmp"] and "locked" not in seen["tmp"]
    assert not any("leftover-A" in p for p in seen["procs"]), seen["procs"]
    assert len(seen["procs"]) == 2  # the worker (pid 1) and this submission
    assert seen["in_memory"] is False
    # The worker survived the kill attempt and serves the next submission.
    assert _job(worker, "def probe():\n    return 'C'", tmp_path)["value"] == "C"
    assert worker.starts == 1
    # The memory scan does find A's answer where it really is: in A's own process.
    assert _job(worker, LEAVE_TRACES + LOOK_AROUND, tmp_path)["value"]["in_memory"] is True


def test_a_dead_worker_is_replaced(worker, tmp_path):
    assert _job(worker, "def probe():\n    return 1", tmp_path)["value"] == 1
    os.killpg(worker.proc.pid, signal.SIGKILL)
    assert _job(worker, "def probe():\n    return 2", tmp_path)["value"] == 2
    assert worker.starts == 2


def test_a_notebook_past_its_time_is_stopped_and_the_worker_goes_on(worker, tmp_path):
    path = tmp_path / "slow.ipynb"
    nbformat.write(notebook_with(["import time\nwhile True:\n    try:\n        time.sleep(100)\n"
                                  "    except BaseException:\n        pass"]), path)
    p1 = worker.run(path.read_bytes(), plan_bytes(PLAN),
                    Limits(cell_timeout=1, notebook_timeout=4))
    assert p1.status == "timeout"
    assert _job(worker, "def probe():\n    return json.dumps(3)\nimport json",
                tmp_path)["value"] == json.dumps(3)
    assert worker.starts == 1
