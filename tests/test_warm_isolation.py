"""Warm isolation: nothing a child writes, creates or changes reaches the next child.

A warm worker forks every submission from one sandbox, so anything in that sandbox that
outlives a process is a channel from one student to the next: a writable folder outside
the wiped ones (a module planted on ``sys.path``), a kernel object of the sandbox's IPC
namespace, a key ring, or an attribute of the worker that children inherit.  These tests
look for each, as the student user, and grade a planter, a victim and a reader in one
batch, warm and cold.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from autograder.grade import grade_batch
from autograder.runner import Limits, execute_and_harvest
from autograder.sandbox import SCRATCH_DIRS
from autograder.warm import WarmWorker

from .adversarial.corpus import BLANK, FULL, MASTER
from .conftest import notebook_with
from .test_warm import PLAN, _job

#: Every place the student user can create a file (or open one for writing), walking the
#: whole mount tree but /proc and /sys, and each sys.path entry with whether it is
#: writable.  Kept small: it returns paths, not contents.
WALK = '''
import os, stat, sys

def _writable_dir(d):
    if not os.access(d, os.W_OK):
        return False
    probe = os.path.join(d, ".d2l-write-probe")
    try:
        os.close(os.open(probe, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600))
        os.unlink(probe)
        return True
    except OSError:
        return False

def probe():
    found = []
    for root, dirs, files in os.walk("/"):
        if root.startswith(("/proc", "/sys")):
            dirs[:] = []
            continue
        if _writable_dir(root):
            found.append(root)
        for name in files:
            path = os.path.join(root, name)
            try:
                mode = os.lstat(path).st_mode
            except OSError:
                continue
            if stat.S_ISREG(mode) and os.access(path, os.W_OK):
                found.append(path)
    path = [(p, bool(p) and os.path.isdir(p) and _writable_dir(p)) for p in sys.path]
    return {"writable": sorted(found), "sys_path": path}
'''


def _outside_scratch(paths: list[str]) -> list[str]:
    return [p for p in paths
            if not any(p == d or p.startswith(d + "/") for d in SCRATCH_DIRS)]


def _check_walk(seen: dict) -> None:
    assert _outside_scratch(seen["writable"]) == []
    # Only the scratch folders themselves (and what lies in them) are writable ...
    assert set(SCRATCH_DIRS) <= set(seen["writable"])
    # ... and nothing on sys.path is: a module planted there would be imported by others.
    assert [p for p, writable in seen["sys_path"] if writable or not p] == []


def test_nothing_is_writable_in_a_warm_child_but_the_wiped_folders(tmp_path):
    with WarmWorker(Limits()) as worker:
        _check_walk(_job(worker, WALK, tmp_path)["value"])


def test_nothing_is_writable_in_a_cold_sandbox_but_its_scratch(tmp_path):
    path = tmp_path / "walk.ipynb"
    nbformat.write(notebook_with([WALK]), path)
    p1 = execute_and_harvest(path, PLAN, Limits())
    assert p1.status == "completed", p1.detail
    _check_walk(p1.results["probe/p1"]["value"])


#: The IPC channels between two consecutive children: System V shared memory, semaphores
#: and message queues, a POSIX message queue, a key in the user's and session key rings,
#: a file in /dev/shm, and an abstract Unix socket served by a process left behind.
LEAVE_IPC = r'''
import ctypes, ctypes.util, os, socket, subprocess, sys
libc = ctypes.CDLL(None, use_errno=True)
made = {}
made["shm"] = libc.shmget(0xD21, 4096, 0o1000 | 0o666)
made["sem"] = libc.semget(0xD22, 1, 0o1000 | 0o666)
made["msg"] = libc.msgget(0xD23, 0o1000 | 0o666)
rt = ctypes.CDLL(ctypes.util.find_library("rt") or "librt.so.1", use_errno=True)
made["mq"] = rt.mq_open(b"/d2l-mq", os.O_CREAT | os.O_RDWR, 0o666, None)
for ring in (-4, -5, -3):  # user, user session, session key rings
    made[f"key{ring}"] = libc.syscall(248, b"user", b"d2l-note", b"answer-of-A", 11,
                                      ctypes.c_int(ring))
try:
    with open("/dev/shm/d2l-note", "w") as fh:
        fh.write("answer-of-A")
    made["devshm"] = 1
except OSError:
    made["devshm"] = -1
subprocess.Popen([sys.executable, "-c", "import socket, time\n"
                  "s = socket.socket(socket.AF_UNIX)\ns.bind('\\0d2l-note')\ns.listen()\n"
                  "time.sleep(600)"], start_new_session=True)
def probe():
    return made
'''

FIND_IPC = r'''
import ctypes, ctypes.util, os, socket
libc = ctypes.CDLL(None, use_errno=True)
def probe():
    found = []
    if libc.shmget(0xD21, 0, 0) >= 0: found.append("shm")
    if libc.semget(0xD22, 0, 0) >= 0: found.append("sem")
    if libc.msgget(0xD23, 0) >= 0: found.append("msg")
    for kind in ("shm", "sem", "msg"):
        rows = open(f"/proc/sysvipc/{kind}").read().splitlines()[1:]
        if rows: found.append(f"/proc/sysvipc/{kind}")
    rt = ctypes.CDLL(ctypes.util.find_library("rt") or "librt.so.1", use_errno=True)
    if rt.mq_open(b"/d2l-mq", os.O_RDWR, 0, None) >= 0: found.append("mq")
    for ring in (-4, -5, -3):  # KEYCTL_SEARCH in the user, user session, session rings
        hit = libc.syscall(250, 10, ctypes.c_int(ring), b"user", b"d2l-note", 0)
        if hit > 0: found.append(f"key{ring}")
    if os.path.exists("/dev/shm/d2l-note") or os.listdir("/dev/shm"): found.append("devshm")
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect("\0d2l-note"); found.append("abstract socket")
    except OSError:
        pass
    return found
'''


def test_no_ipc_channel_survives_from_one_child_to_the_next(tmp_path):
    with WarmWorker(Limits()) as worker:
        assert _job(worker, FIND_IPC, tmp_path)["value"] == []  # a fresh worker
        made = _job(worker, LEAVE_IPC, tmp_path)["value"]
        # The kernel objects that outlive a process cannot be made at all.
        assert {k: v for k, v in made.items() if k != "devshm" and v >= 0} == {}, made
        assert _job(worker, FIND_IPC, tmp_path)["value"] == []


#: Attributes of the worker (pid 1) that a same-user process may change and that every
#: later child would inherit: resource limits, nice value, CPU affinity, scheduler, OOM
#: score.
CHANGE_WORKER = '''
import os, resource
def _try(f):
    try:
        f()
    except OSError:
        pass
_try(lambda: resource.prlimit(1, resource.RLIMIT_NOFILE, (40, 40)))
_try(lambda: resource.prlimit(1, resource.RLIMIT_AS, (1 << 28, 1 << 28)))
_try(lambda: os.setpriority(os.PRIO_PROCESS, 1, 19))
_try(lambda: os.sched_setaffinity(1, {min(os.sched_getaffinity(0))}))
_try(lambda: os.sched_setscheduler(1, os.SCHED_IDLE, os.sched_param(0)))
_try(lambda: open("/proc/1/oom_score_adj", "w").write("1000"))
def probe():
    return "changed"
'''

OWN_ATTRIBUTES = '''
import os, resource
def probe():
    return [resource.getrlimit(resource.RLIMIT_NOFILE), resource.getrlimit(resource.RLIMIT_AS),
            os.getpriority(os.PRIO_PROCESS, 0), sorted(os.sched_getaffinity(0)),
            os.sched_getscheduler(0), open("/proc/self/oom_score_adj").read()]
'''


def test_a_child_that_changes_the_worker_gets_it_replaced(tmp_path):
    with WarmWorker(Limits()) as worker:
        before = _job(worker, OWN_ATTRIBUTES, tmp_path)["value"]
        assert _job(worker, CHANGE_WORKER, tmp_path)["value"] == "changed"
        assert worker.dirty and "changed" in worker.dirty[0], worker.dirty
        assert _job(worker, OWN_ATTRIBUTES, tmp_path)["value"] == before
        assert worker.starts == 2  # the changed sandbox served no one else
        assert _job(worker, OWN_ATTRIBUTES, tmp_path)["value"] == before
        assert worker.starts == 2  # an honest child does not cost a restart


# ---- planter, victim, reader: real notebooks graded in one batch ---------------------------

#: Appended to the blank notebook: plant a module named like one a later notebook imports
#: (pandas, PIL, matplotlib, sqlite3: none is imported by the warm worker itself) in every
#: folder the student user can write.  Imported by a victim, it copies the victim's
#: notebook bytes next to itself and breaks the victim's answers.
PLANTER = r'''
import os
SHADOW = """
import os, sys
frame, stolen = sys._getframe(), b""
while frame is not None:
    value = frame.f_locals.get("notebook")
    if isinstance(value, bytes):
        stolen = value
        break
    frame = frame.f_back
here = os.path.dirname(os.path.abspath(__file__))
try:
    with open(os.path.join(here, "d2l-stolen.txt"), "wb") as fh:
        fh.write(b"STOLEN:" + stolen)
except OSError:
    pass
raise ImportError("planted")
"""
planted = []
for root, dirs, files in os.walk("/"):
    if root.startswith(("/proc", "/sys", "/usr")):
        dirs[:] = []
        continue
    for name in ("pandas.py", "PIL.py", "matplotlib.py", "sqlite3.py"):
        try:
            with open(os.path.join(root, name), "w") as fh:
                fh.write(SHADOW)
            planted.append(root)
        except OSError:
            break
print("planted in", sorted(set(planted)))
'''

#: Appended to the solution: look for anything a victim left; finding it costs softmax.
READER = r'''
import os
loot = []
for root, dirs, files in os.walk("/"):
    if root.startswith(("/proc", "/sys", "/usr")):
        dirs[:] = []
        continue
    for name in files:
        if name == "d2l-stolen.txt":
            loot.append(os.path.join(root, name))
if loot:
    softmax = None
    print("found", loot)
'''


def _with_cell(base: Path, source: str, out: Path) -> Path:
    nb = nbformat.read(base, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(source))
    nbformat.write(nb, out)
    return out


def _verdicts(result):
    return (result.phase1, result.score, [(q.name, q.score, q.status) for q in result.questions])


def test_planter_victim_reader_in_one_batch(course, tmp_path):
    """The attack of issue 26: a planted module must not cost a later student points, nor
    carry their notebook to a third; warm workers give what fresh sandboxes give."""
    victim = course.root / "solutions" / "ch03_basics" / "kaggle_house.ipynb"
    paths = [_with_cell(BLANK, PLANTER, tmp_path / "a_planter.ipynb"), victim,
             _with_cell(MASTER, READER, tmp_path / "c_reader.ipynb")]
    limits = Limits(cell_timeout=120, case_timeout=120, notebook_timeout=600)
    warm = grade_batch(course, paths, limits, workers=1, warm=True)
    planter, graded_victim, reader = warm
    assert planter.score == 0
    assert graded_victim.score == graded_victim.max_score > 0, _verdicts(graded_victim)
    assert reader.score == FULL == reader.max_score, _verdicts(reader)
    cold = grade_batch(course, paths, limits, workers=1, warm=False)
    assert [_verdicts(r) for r in warm] == [_verdicts(r) for r in cold]


#: 64 chains of processes, each forking its successor and exiting at once: a pid seen
#: in /proc is gone before it can be killed.  Run with no process cap that would starve it.
FORK_RELAY = '''
import os, time
def _relay():
    while True:
        try:
            if os.fork():
                os._exit(0)
        except OSError:
            time.sleep(0.001)
for _ in range(64):
    if os.fork() == 0:
        _relay()
def probe():
    return "relaying"
'''

COUNT_PROCESSES = '''
import os
def probe():
    return sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
'''


def test_a_fork_relay_swarm_never_reaches_the_next_child(tmp_path):
    """Killing through /proc races a swarm; the worker that cannot prove its namespace
    empty ends it (the kernel then kills every process in it) and is replaced."""
    from autograder.sandbox import SandboxOptions

    limits = Limits(sandbox=SandboxOptions(max_processes=1_000_000))
    # The swarm's 64 relays keep both cores busy while its own probe runs: CI, loaded,
    # once saw that probe pass the default 60 s case limit.  What is tested is the next
    # child, so this one gets a margin no load crosses.
    patient = Limits(cell_timeout=600, case_timeout=600, notebook_timeout=1200)
    with WarmWorker(limits) as worker:
        assert _job(worker, FORK_RELAY, tmp_path, patient)["value"] == "relaying"
        seen = _job(worker, COUNT_PROCESSES, tmp_path)["value"]
        assert len(seen) == 2, seen  # the worker and this child, nothing of the swarm
