"""Phase 1, inside the sandboxed child: run the notebook's cells, then call the student's
objects on every case and send back what they returned.

Run as ``python -m autograder.harvest IN_DIR CONTROL_FD``.  IN_DIR (read-only) holds
``submission.ipynb``, ``plan.json``/``plan.npz`` and ``limits.json``.  On CONTROL_FD this
writes ``cell N`` before each code cell (so the parent can say where a process died),
``harvest`` before the calls, and finally ``result <json bytes> <npz bytes>`` followed by
the harvest itself.  The student's code runs in this same process, so nothing here is
trusted: the parent reads the harvest as capped, validated plain data.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from . import wire
from .device import case_device, grading_precision, to_cpu
from .kinds import MissingObject, isolated, run_case

MESSAGE_CHARS = 300


class Interrupted(BaseException):
    """Raised by the alarm when a cell or a case runs past its time limit."""


class CappedStream(io.TextIOBase):
    """A text stream that keeps at most ``limit`` characters and counts the rest."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[str] = []
        self.kept = 0
        self.dropped = 0

    def writable(self) -> bool:
        return True

    def write(self, s: str) -> int:
        s = str(s)
        room = self.limit - self.kept
        if room > 0:
            self.parts.append(s[:room])
            self.kept += min(room, len(s))
        self.dropped += max(0, len(s) - max(room, 0))
        return len(s)

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts.clear()
        return text


class Alarm:
    """A wall-clock limit for the code that runs next, via SIGALRM in the main thread.

    The alarm keeps firing every half second after the limit, so a student who catches
    one interruption is interrupted again; the parent's kill is the backstop.
    """

    def __init__(self) -> None:
        self.fired = False
        signal.signal(signal.SIGALRM, self._fire)

    def _fire(self, signum: int, frame: Any) -> None:
        self.fired = True
        raise Interrupted()

    def start(self, seconds: float) -> None:
        self.fired = False
        signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001), 0.5)

    def stop(self) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0, 0)


#: nbgrader ids of demonstration cells (not graded) start with ``demo_`` (the notebook
#: generator's name) or end with ``_demo`` (older hand-made notebooks): see
#: :func:`run_cells`.
DEMO_PREFIX, DEMO_SUFFIX = "demo_", "_demo"


def code_cells(notebook: bytes) -> list[tuple[str, bool]]:
    """(source, is it a demonstration cell) of the notebook's code cells, in order."""
    nb = json.loads(notebook.decode("utf-8"))
    sources = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        meta = cell.get("metadata")
        nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
        grade_id = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
        demo = isinstance(grade_id, str) and (grade_id.startswith(DEMO_PREFIX)
                                              or grade_id.endswith(DEMO_SUFFIX))
        sources.append(("".join(src) if isinstance(src, list) else str(src), demo))
    return sources


def _message(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) <= MESSAGE_CHARS else text[: MESSAGE_CHARS - 1] + "…"


#: The process that reports; a process the notebook forks must stay silent and stop as
#: soon as control returns here, or it would run the rest of the notebook a second time.
MAIN_PID = os.getpid()


def new_shell() -> Any:
    """An IPython shell with no history database.

    IPython keeps history in ``~/.ipython/.../history.sqlite``; a warm worker's children
    would all inherit one open connection to it, and a later submission could read an
    earlier one's cells through it.  In-memory history is all grading needs.
    """
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    return InteractiveShell.instance(config=config, colors="nocolor")


def _send(fd: int, data: bytes) -> None:
    if os.getpid() != MAIN_PID:
        os._exit(0)
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


#: IPython's execution count of each code cell run, to its index among the code cells.
CELL_OF_COUNT: dict[int, int] = {}
_CELL_FILE = re.compile(r"<ipython-input-(\d+)-")


def _student_line(exc: BaseException) -> list[int] | None:
    """[code cell, line] of the innermost frame of the exception in the student's cells."""
    found = None
    for frame, line in traceback.walk_tb(exc.__traceback__):
        match = _CELL_FILE.match(frame.f_code.co_filename)
        if match and int(match.group(1)) in CELL_OF_COUNT:
            found = [CELL_OF_COUNT[int(match.group(1))], int(line)]
    return found


def run_cells(shell: Any, sources: list[tuple[str, bool]], limits: dict[str, Any],
              alarm: Alarm, out: CappedStream, control: int) -> list[dict[str, Any]]:
    """Run the code cells; a demonstration cell cannot change what an answer sees.

    Demonstration cells (nbgrader-locked, ungraded) print and train for the student's
    benefit; no verdict may depend on them, so unless ``limits["run_demos"]`` they are not
    run at all (outcome ``skipped``): a notebook whose answers need a demo's state is a
    notebook bug.  When they do run, a demo may still reuse a name a student's answer
    relies on (the book keeps ``loss`` as a notebook-level variable; a demo training loop
    rebinds it to a tensor), and grading runs every cell before the cases, where the
    student's own ``check()`` ran before the demo.  So every global a demo cell rebinds
    or deletes gets its old object back afterwards; names it adds stay, for later demos.
    (Marking an answer cell as a demo only takes its own code away: nothing to gain.)
    """
    outcomes = []
    run_demos = limits.get("run_demos", True)
    for index, (source, demo) in enumerate(sources, start=1):
        if demo and not run_demos:
            outcomes.append({"cell": index, "seconds": 0.0, "status": "skipped", "output": ""})
            continue
        before = dict(shell.user_ns) if demo else None
        CELL_OF_COUNT[shell.execution_count] = index
        _send(control, f"cell {index}\n".encode())
        started = time.monotonic()
        alarm.start(limits["cell_timeout"])
        try:
            result = shell.run_cell(source, store_history=True)
        except Interrupted:
            result = None
        finally:
            alarm.stop()
        if os.getpid() != MAIN_PID:
            os._exit(0)
        if before is not None:
            _restore(shell.user_ns, before)
        outcome: dict[str, Any] = {"cell": index, "seconds": round(time.monotonic() - started, 3)}
        if alarm.fired:
            outcome["status"] = "timeout"
        elif result is None or result.error_in_exec is not None or result.error_before_exec:
            err = (result.error_in_exec or result.error_before_exec) if result else None
            outcome.update(status="error", error=type(err).__name__ if err else "unknown",
                           message=_message(err) if err else "")
        else:
            outcome["status"] = "ok"
        outcome["output"] = out.take()[:2000]
        outcomes.append(outcome)
    return outcomes


def harvest(plan: dict[str, Any], namespace: dict[str, Any], limits: dict[str, Any],
            alarm: Alarm) -> dict[str, Any]:
    """Call every question's object on every case; results are snapshots of plain data."""
    results: dict[str, Any] = {}
    for q in plan["questions"]:
        try:
            with isolated(namespace, q["isolate"], case_device(q, limits)):
                for case in q["cases"]:
                    key = f"{q['name']}/{case['id']}"
                    results[key] = harvest_case(q, case, namespace, limits, alarm)
                    if os.getpid() != MAIN_PID:
                        os._exit(0)
        except MissingObject as exc:
            # A stand-in is made from a name the notebook no longer defines (a given helper
            # deleted): the questions that use it say so, and the others are graded.
            for case in q["cases"]:
                results[f"{q['name']}/{case['id']}"] = {"status": "missing",
                                                       "message": str(exc)}
    return results


def harvest_case(q: dict[str, Any], case: dict[str, Any], namespace: dict[str, Any],
                 limits: dict[str, Any], alarm: Alarm) -> dict[str, Any]:
    """Call the student's object on one case; the outcome as plain data (``status`` and,
    when ``ok``, a ``value`` snapshot).  Used by the sandbox and by the otter tests."""
    obj = namespace.get(q["object"], _MISSING)
    if obj is _MISSING:
        return {"status": "missing"}
    device = case_device(q, limits)
    alarm.start(limits["case_timeout"])
    try:
        if device != "cpu":
            grading_precision()  # whatever the notebook set: no TF32, deterministic
        value = run_case(obj, case, q["kind"], namespace, device)
        # Snapshot now: later cases must not be able to change what was recorded.
        value = wire.decode(*wire.encode(to_cpu(value)))
    except Interrupted:
        return {"status": "timeout"}
    except NotImplementedError:
        return {"status": "not_implemented"}
    except MissingObject as exc:
        return {"status": "missing", "message": str(exc)}
    except wire.WireError as exc:
        return {"status": "bad_output", "message": _message(exc)}
    except BaseException as exc:  # the student's code may raise anything, SystemExit included
        if alarm.fired:
            return {"status": "timeout"}
        raised = {"status": "raised", "error": type(exc).__name__, "message": _message(exc)}
        where = _student_line(exc)
        if where is not None:
            raised["where"] = where
        return raised
    finally:
        alarm.stop()
    if device != "cpu":  # the grader judges it with the question's GPU tolerance
        return {"status": "ok", "value": value, "device": device}
    return {"status": "ok", "value": value}


_MISSING = object()


_MISSING = object()


def _restore(namespace: dict[str, Any], before: dict[str, Any]) -> None:
    """Give every name of ``before`` its object back in ``namespace``."""
    for name, obj in before.items():
        if namespace.get(name, _MISSING) is not obj:
            namespace[name] = obj


def run_submission(notebook: bytes, plan: dict[str, Any], limits: dict[str, Any],
                   control: int, shell: Any = None) -> None:
    """Run one submission in this process and report on ``control``; never returns.

    Called by ``main`` in a fresh process, or by a warm worker in a freshly forked child
    (which passes the pristine shell it made before forking).
    """
    global MAIN_PID
    MAIN_PID = os.getpid()
    # The working folder is writable; nothing is imported from it (every other entry of
    # sys.path is a read-only mount).
    cwd = os.getcwd()
    sys.path[:] = [p for p in sys.path if p not in ("", ".") and os.path.abspath(p) != cwd]
    if limits.get("threads"):
        import torch

        torch.set_num_threads(int(limits["threads"]))  # several notebooks share the cores
    sources = code_cells(notebook)
    if shell is None:
        shell = new_shell()
    out = CappedStream(limits["max_output_chars"])
    real_stdout = sys.stdout
    sys.stdout = sys.stderr = out
    alarm = Alarm()
    cells = run_cells(shell, sources, limits, alarm, out, control)
    _send(control, b"harvest\n")
    results = harvest(plan, shell.user_ns, limits, alarm)
    sys.stdout = real_stdout
    json_bytes, npz_bytes = wire.dumps({
        "cells": cells, "results": results,
        "output_chars": out.kept + out.dropped, "output_dropped": out.dropped,
    })
    _send(control, f"result {len(json_bytes)} {len(npz_bytes)}\n".encode())
    _send(control, json_bytes)
    _send(control, npz_bytes)
    os._exit(0)  # skip interpreter teardown: student objects may misbehave in __del__


def warm_imports() -> None:
    """Import what the first case would otherwise import lazily, before any time limit.

    The first ``torch.optim`` optimiser of a process imports ``torch._dynamo`` (1.5–5 s on a
    loaded machine): inside a case it could cross the case's time limit in a fresh sandbox
    but not in a warm worker, which imported it before forking.  Both paths call this, so
    a verdict never depends on which one graded it.  Construct only: running a torch op
    here would start OpenMP threads, and a process forked after that may hang.
    """
    import torch

    torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(1, 1)).state_dict()
    torch.nn.CrossEntropyLoss(reduction="none")


def main(argv: list[str]) -> int:
    in_dir, control = Path(argv[1]), int(argv[2])
    limits = json.loads((in_dir / "limits.json").read_text())
    plan = wire.read(in_dir / "plan")
    warm_imports()
    run_submission((in_dir / "submission.ipynb").read_bytes(), plan, limits, control)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
