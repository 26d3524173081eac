"""Phase 1 behind one small interface: a notebook and a plan in, named outcomes out.

:func:`execute_and_harvest` starts a child process (``python -m autograder.harvest``)
in a fresh work folder, waits at most the notebook's time limit, and reads back what the
child wrote as data only.  How the child is started is a detail kept here, so a
sandboxed or pre-warmed child can replace it without touching the grader.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import wire

RESULT_STATUSES = {"ok", "missing", "not_implemented", "raised", "timeout", "bad_output"}


@dataclass(frozen=True)
class Limits:
    """Limits on one submission's run; every one has a command-line flag."""

    cell_timeout: float = 60.0
    case_timeout: float = 60.0
    notebook_timeout: float = 300.0
    max_output_chars: int = 200_000
    max_harvest_bytes: int = 64 * 1024 * 1024


@dataclass
class Phase1Result:
    """What phase 1 produced.

    ``status`` is one of ``completed`` (the harvest was read), ``timeout`` (the notebook
    ran past its limit and was killed), ``died`` (the process ended without a harvest;
    ``detail["cell"]`` says at which code cell) or ``invalid`` (the harvest could not be
    read as the expected data; ``detail["reason"]`` says why).
    """

    status: str
    cells: list[dict[str, Any]] = field(default_factory=list)
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    detail: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


def _child_env(workdir: Path, data_dir: Path | None) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(workdir),
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
        "NBGRADER_EXECUTION": "autograde",
        "LANG": "C.UTF-8",
    }
    if data_dir is not None:
        env["D2L_DATA_DIR"] = str(data_dir)
    # The child imports the engine from wherever this process imported it.
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    return env


def execute_and_harvest(notebook: Path, plan: dict[str, Any], limits: Limits,
                        data_dir: Path | None = None) -> Phase1Result:
    """Run ``notebook`` and harvest the plan's cases in a child process."""
    workdir = Path(tempfile.mkdtemp(prefix="d2l-grade-"))
    try:
        shutil.copyfile(notebook, workdir / "submission.ipynb")
        wire.write(workdir / "plan", plan)
        (workdir / "limits.json").write_text(json.dumps({
            "cell_timeout": limits.cell_timeout, "case_timeout": limits.case_timeout,
            "max_output_chars": limits.max_output_chars,
        }))
        started = time.monotonic()
        with open(workdir / "stdio.log", "wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "autograder.harvest", str(workdir)],
                cwd=workdir, env=_child_env(workdir, data_dir), stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
            try:
                code = proc.wait(timeout=limits.notebook_timeout)
            except subprocess.TimeoutExpired:
                _kill_group(proc)
                return Phase1Result("timeout", detail={"seconds": limits.notebook_timeout},
                                    seconds=time.monotonic() - started)
            finally:
                _kill_group(proc)  # stray grandchildren die with the submission
        elapsed = time.monotonic() - started
        if not (workdir / "harvest.json").exists():
            return Phase1Result("died", detail={"cell": _last_cell(workdir),
                                                "how": _how(code)}, seconds=elapsed)
        try:
            value = wire.read(workdir / "harvest", max_npz_bytes=limits.max_harvest_bytes)
            cells, results = _validate(value)
        except wire.WireError as exc:
            return Phase1Result("invalid", detail={"reason": str(exc)}, seconds=elapsed)
        return Phase1Result("completed", cells, results, seconds=elapsed)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def _how(code: int) -> str:
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


def _last_cell(workdir: Path) -> str:
    try:
        with open(workdir / "progress.log", "rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - 64))
            lines = fh.read().decode("ascii", "replace").split()
        return lines[-1] if lines else "0"
    except OSError:
        return "0"


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
        results[key] = res
    return cells, results
