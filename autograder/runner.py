"""Phase 1 behind one small interface: a notebook and a plan in, named outcomes out.

:func:`execute_and_harvest` starts ``python -m autograder.harvest`` in a sandbox
(:mod:`autograder.sandbox`), feeds it the notebook, the plan and the limits through a
read-only folder, and listens on a pipe: the child reports the cell it is running and,
at the end, the harvest (JSON + npz bytes, :mod:`autograder.wire`).  Nothing the child
writes to disk is ever read back.  Every byte that comes back is capped, and the harvest
is parsed as plain data and validated before anyone compares it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import wire
from .sandbox import SandboxOptions, prepare

RESULT_STATUSES = {"ok", "missing", "not_implemented", "raised", "timeout", "bad_output"}


@dataclass(frozen=True)
class Limits:
    """Limits on one submission's run; every one has a command-line flag."""

    cell_timeout: float = 60.0
    case_timeout: float = 60.0
    notebook_timeout: float = 300.0
    max_output_chars: int = 200_000  # what the notebook prints, as kept by the child
    max_stdio_bytes: int = 1024 * 1024  # what reaches the process's own stdout/stderr
    max_harvest_bytes: int = 64 * 1024 * 1024
    threads: int = 0  # torch threads per notebook; 0 leaves torch's default
    sandbox: SandboxOptions = SandboxOptions()
    #: Run the demonstration cells too.  They print and train for the student's benefit
    #: and no verdict depends on them (:func:`autograder.harvest.run_cells`), so by default
    #: grading skips them and spends its time on what is graded.
    run_demos: bool = False


def threads_from_env() -> int:
    """``OMP_NUM_THREADS`` from the grader's environment, or 0 when it is unset or invalid.

    Why: the sandbox does not pass the environment on, so a notebook's torch would start
    one thread per core whatever the machine's owner set.  Someone who sets it (a CI job
    running two test processes on two cores, a Dask worker given one core) has other
    work on the remaining cores, and OpenMP threads that spin-wait against that work cost
    several times the CPU (a ch09 notebook: 41 s harvesting with two threads beside a busy
    core, 7 s with one).
    """
    try:
        value = int(os.environ.get("OMP_NUM_THREADS", "0"))
    except ValueError:
        return 0
    return max(value, 0)


@dataclass
class Phase1Result:
    """What phase 1 produced.

    ``status`` is one of ``completed`` (the harvest was read), ``timeout`` (the notebook
    ran past its limit and was killed), ``died`` (the process ended without a harvest;
    ``detail["cell"]`` says at which code cell and ``detail["how"]`` how) or ``invalid``
    (the harvest could not be read as the expected data; ``detail["reason"]`` says why).
    """

    status: str
    cells: list[dict[str, Any]] = field(default_factory=list)
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    detail: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    sandbox: str = "bwrap"
    enforced: list[str] = field(default_factory=list)
    stdio: str = ""
    phases: dict[str, float] = field(default_factory=dict)


def phase_times(started: float, seen: dict[str, float]) -> dict[str, float]:
    """Seconds spent starting up (to the first cell), in the cells, in the harvest calls,
    and sending the result back, from when the control pipe's lines arrived."""
    points = [("startup", "first"), ("cells", "harvest"), ("harvest", "result"),
              ("transfer", "end")]
    out, last = {}, started
    for name, key in points:
        if key not in seen:
            break
        out[name] = round(seen[key] - last, 4)
        last = seen[key]
    return out


class Drain(threading.Thread):
    """Reads a pipe to its end, keeping at most ``cap`` bytes and counting the rest.

    It also notes when the first byte, the ``harvest`` line and the ``result`` line
    arrived, for the timing breakdown (``phase_times``); nothing depends on them.
    """

    MARKS = {"harvest": b"harvest\n", "result": b"result "}

    def __init__(self, fd: int, cap: int) -> None:
        super().__init__(daemon=True)
        self.fd, self.cap = fd, cap
        self.data = bytearray()
        self.dropped = 0
        self.seen: dict[str, float] = {}

    def run(self) -> None:
        try:
            while True:
                chunk = os.read(self.fd, 1 << 16)
                now = time.monotonic()
                if not chunk:
                    self.seen["end"] = now
                    break
                self.seen.setdefault("first", now)
                for name, mark in self.MARKS.items():
                    if name not in self.seen and mark in chunk:
                        self.seen[name] = now
                room = self.cap - len(self.data)
                if room > 0:
                    self.data += chunk[:room]
                self.dropped += max(0, len(chunk) - max(room, 0))
        except OSError:
            pass
        finally:
            os.close(self.fd)


def _parse_control(data: bytes) -> tuple[str, tuple[bytes, bytes] | None]:
    """(last cell reported, last complete result frame) from the control stream."""
    cell, frame, pos = "0", None, 0
    while pos < len(data):
        end = data.find(b"\n", pos)
        if end < 0:
            break
        line = data[pos:end].decode("ascii", "replace").split()
        pos = end + 1
        if len(line) == 2 and line[0] == "cell" and line[1].isdigit():
            cell = line[1]
        elif line == ["harvest"]:
            cell = "harvest"
        elif len(line) == 3 and line[0] == "result" and line[1].isdigit() and line[2].isdigit():
            n_json, n_npz = int(line[1]), int(line[2])
            if pos + n_json + n_npz > len(data):
                break
            frame = (bytes(data[pos:pos + n_json]), bytes(data[pos + n_json:pos + n_json + n_npz]))
            pos += n_json + n_npz
    return cell, frame


def execute_and_harvest(notebook: Path, plan: dict[str, Any], limits: Limits,
                        data_dir: Path | None = None,
                        hidden: list[Path] | None = None) -> Phase1Result:
    """Run ``notebook`` and harvest the plan's cases in a sandboxed child process.

    ``hidden``: folders that must stay invisible to the notebook (see ``sandbox.prepare``).

    Raises :class:`~autograder.sandbox.SandboxUnavailable` when the sandbox cannot run.
    """
    tmp = Path(tempfile.mkdtemp(prefix="d2l-grade-"))
    in_dir, work_dir = tmp / "in", tmp / "work"
    in_dir.mkdir()
    work_dir.mkdir()
    try:
        shutil.copyfile(notebook, in_dir / "submission.ipynb")
        wire.write(in_dir / "plan", plan)
        (in_dir / "limits.json").write_text(json.dumps(child_limits(limits)))
        for path in in_dir.iterdir():
            path.chmod(0o444)
        control_r, control_w = os.pipe()
        try:
            launch = prepare(limits.sandbox, in_dir, work_dir, data_dir, control_w, hidden,
                             cpus=limits.threads)
        except BaseException:
            os.close(control_r)
            os.close(control_w)
            raise
        return _run(launch, control_r, control_w, limits)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _run(launch, control_r: int, control_w: int, limits: Limits) -> Phase1Result:
    sandbox = limits.sandbox.kind
    stdio_r, stdio_w = os.pipe()
    started = time.monotonic()
    try:
        proc = subprocess.Popen(
            launch.argv, cwd=launch.cwd, env=launch.env, stdin=subprocess.DEVNULL,
            stdout=stdio_w, stderr=stdio_w, pass_fds=(control_w,), start_new_session=True,
            preexec_fn=launch.preexec,
        )
    except BaseException:
        for fd in (control_r, control_w, stdio_r, stdio_w):
            os.close(fd)
        launch.cleanup()
        raise
    os.close(control_w)
    os.close(stdio_w)
    control = Drain(control_r, limits.max_harvest_bytes + 16 * 1024 * 1024)
    stdio = Drain(stdio_r, limits.max_stdio_bytes)
    control.start()
    stdio.start()
    timed_out = False
    try:
        code = proc.wait(timeout=limits.notebook_timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        code = None
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait()
        memory_events = launch.cgroup.memory_events()
        launch.cleanup()  # kills anything the submission left behind
    for drain in (control, stdio):
        drain.join(timeout=10)
    return outcome(bytes(control.data), control.dropped, code, timed_out, memory_events,
                   limits, seconds=time.monotonic() - started, sandbox=sandbox,
                   enforced=launch.enforced,
                   stdio=bytes(stdio.data).decode("utf-8", "replace")[-4000:],
                   phases=phase_times(started, control.seen))


def outcome(control: bytes, dropped: int, code: int | None, timed_out: bool,
            memory_events: int, limits: Limits, **common: Any) -> Phase1Result:
    """Phase 1's result from what came back on the control pipe and how the process ended
    (shared by the cold path and the warm workers, so both say exactly the same)."""
    if timed_out:
        return Phase1Result("timeout", detail={"seconds": limits.notebook_timeout}, **common)
    cell, frame = _parse_control(control)
    if dropped:
        return Phase1Result("invalid", detail={
            "reason": f"the process sent more than {limits.max_harvest_bytes} bytes"}, **common)
    if frame is None:
        return Phase1Result("died", detail={"cell": cell, "how": _how(code, memory_events)},
                            **common)
    try:
        value = wire.loads(*frame, max_npz_bytes=limits.max_harvest_bytes)
        cells, results = _validate(value)
    except wire.WireError as exc:
        return Phase1Result("invalid", detail={"reason": str(exc)}, **common)
    return Phase1Result("completed", cells, results, **common)


def _how(code: int | None, memory_events: int) -> str:
    if code is None:
        return "unknown"
    # bwrap reports a child killed by a signal as exit code 128 + signal.
    signum = -code if code < 0 else code - 128 if code > 128 else 0
    if signum:
        try:
            name = signal.Signals(signum).name
        except ValueError:
            name = str(signum)
        if name == "SIGXCPU":
            return "signal SIGXCPU: the CPU-time limit was reached"
        if name == "SIGKILL" and memory_events:
            return "signal SIGKILL: the memory limit was reached"
        return f"signal {name}"
    return f"exit code {code}"


def child_limits(limits: Limits, **extra: Any) -> dict[str, Any]:
    """What the sandboxed child is told about its limits (plain JSON data)."""
    return {"cell_timeout": limits.cell_timeout, "case_timeout": limits.case_timeout,
            "max_output_chars": limits.max_output_chars, "threads": limits.threads,
            "device": "cuda" if limits.sandbox.gpu else "cpu",
            "run_demos": limits.run_demos, **extra}


def _validate(value: Any) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Check the harvest's structure; anything unexpected makes the whole harvest invalid."""
    if type(value) is not dict or type(value.get("cells")) is not list \
            or type(value.get("results")) is not dict:
        raise wire.WireError("the harvest is not a dict with cells and results")
    cells = []
    for cell in value["cells"]:
        if type(cell) is not dict or type(cell.get("status")) is not str:
            raise wire.WireError("a cell outcome is malformed")
        cells.append({k: v for k, v in cell.items() if type(v) in (str, int, float)})
    results: dict[str, dict[str, Any]] = {}
    for key, res in value["results"].items():
        if type(key) is not str or type(res) is not dict \
                or res.get("status") not in RESULT_STATUSES:
            raise wire.WireError(f"the result for {key!r} is malformed")
        for text_key in ("error", "message"):
            if text_key in res and type(res[text_key]) is not str:
                raise wire.WireError(f"the result for {key!r} is malformed")
        if res.get("device", "cuda") != "cuda":
            raise wire.WireError(f"the result for {key!r} is malformed")
        where = res.get("where", [1, 1])  # [code cell, line] of a raised exception
        if type(where) is not list or len(where) != 2 or \
                not all(type(x) is int and 0 < x < 1_000_000 for x in where):
            raise wire.WireError(f"the result for {key!r} is malformed")
        results[key] = res
    return cells, results
