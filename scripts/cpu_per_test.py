"""A pytest plugin that counts the CPU each test costs, everything it started included.

Wall time per test says little on a 2-core machine whose two pytest-xdist workers keep
both cores busy: a test stretches with whatever runs beside it.  Summing the process
CPU of pytest misses the sandboxes, kernels, hub and database a test starts, which are
reaped outside it.  This puts each worker into a cpuacct cgroup of its own (cgroup v1,
``/sys/fs/cgroup/cpuacct``; root) and reads it around every test, so a test is charged
for every process it started.  Issue 23's breakdowns were measured with it:

    PYTHONPATH=scripts .venv/bin/python -m pytest -n 2 --dist loadfile \\
        --no-loadscope-reorder -p cpu_per_test
    .venv/bin/python scripts/cpu_per_test.py      # the table, per file and per test

Each worker writes ``cpu-per-test-PID.json`` to ``$D2L_CPU_DIR`` (default: the system's
temporary folder); running this file sums them.  Not used by CI: it needs root and
cgroup v1.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import pytest

OUT = Path(os.environ.get("D2L_CPU_DIR") or tempfile.gettempdir())
GROUP = Path(f"/sys/fs/cgroup/cpuacct/d2l-cpu-per-test-{os.getpid()}")
_cpu: dict[str, float] = defaultdict(float)
_wall: dict[str, float] = defaultdict(float)


def _usage() -> float:
    try:
        return int((GROUP / "cpuacct.usage").read_text()) / 1e9
    except OSError:
        return 0.0


def pytest_configure(config) -> None:
    # A pytest-xdist worker, or a run without workers: the process that runs the tests.
    if hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None):
        GROUP.mkdir(exist_ok=True)
        (GROUP / "cgroup.procs").write_text(str(os.getpid()))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    cpu, wall = _usage(), time.monotonic()
    yield
    _cpu[item.nodeid] += _usage() - cpu
    _wall[item.nodeid] += time.monotonic() - wall


def pytest_sessionfinish(session) -> None:
    if _cpu:
        (OUT / f"cpu-per-test-{os.getpid()}.json").write_text(
            json.dumps({"cpu": _cpu, "wall": _wall}))
    try:  # leave the group, and remove it if nothing else is in it
        (GROUP.parent / "cgroup.procs").write_text(str(os.getpid()))
        GROUP.rmdir()
    except OSError:
        pass


def report(folder: Path = OUT, most: int = 40) -> None:
    """Per file, then the costliest tests, from every worker's file in ``folder``."""
    cpu: dict[str, float] = defaultdict(float)
    wall: dict[str, float] = defaultdict(float)
    for path in folder.glob("cpu-per-test-*.json"):
        data = json.loads(path.read_text())
        for key, value in data["cpu"].items():
            cpu[key] += value
        for key, value in data["wall"].items():
            wall[key] += value
    if not cpu:
        sys.exit(f"no cpu-per-test-*.json in {folder}: run pytest with -p cpu_per_test first")
    per_file: dict[str, float] = defaultdict(float)
    for key, value in cpu.items():
        per_file[key.split("::")[0]] += value
    print(f"{sum(cpu.values()):.0f} CPU-s in {len(cpu)} tests")
    for name in sorted(per_file, key=per_file.get, reverse=True):
        print(f"{per_file[name]:8.1f}  {name}")
    print(f"\n  CPU-s    wall-s  the {most} costliest tests")
    for key in sorted(cpu, key=cpu.get, reverse=True)[:most]:
        print(f"{cpu[key]:8.1f}  {wall[key]:8.1f}  {key}")


if __name__ == "__main__":
    report()
