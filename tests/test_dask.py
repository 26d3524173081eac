"""Dask through a real scheduler on loopback: GPU work goes only where a GPU is declared."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import CH03, MISTAKES_DIR, ROOT, run_cli

DASK = str(Path(sys.executable).parent / "dask")
SUBMISSIONS = {  # student: notebook, expected score
    "alice": (ROOT / "examples" / CH03 / "correct.ipynb", 18.0),
    "bob": (ROOT / "examples" / CH03 / "partly_wrong.ipynb", 14.0),
    "carol": (ROOT / "examples" / CH03 / "blank.ipynb", 0.0),
    "dave": (MISTAKES_DIR / "mistake_sgd_no_batch_division.ipynb", 16.0),
}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _workers(address: str) -> int:
    from distributed import Client

    with Client(address, timeout=30) as client:
        return len(client.scheduler_info()["workers"])


@pytest.fixture
def scheduler():
    """A scheduler on loopback; yields (address, start_worker)."""
    port = _port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)]

    def start_worker(name: str, *extra: str) -> None:
        expected = len(procs)  # workers already running, plus this one
        procs.append(subprocess.Popen(
            [DASK, "worker", address, "--name", name, "--nthreads", "1", "--no-dashboard",
             "--no-nanny", *extra], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=dict(os.environ, PYTHONPATH=str(ROOT))))
        deadline = time.monotonic() + 120
        while _workers(address) < expected:
            assert time.monotonic() < deadline, f"dask worker {name} did not start"
            time.sleep(0.5)

    try:
        yield address, start_worker
    finally:
        for proc in reversed(procs):
            proc.kill()
            proc.wait()


def test_gpu_work_runs_only_on_workers_that_declare_a_gpu(tmp_path, scheduler, new_course):
    address, start_worker = scheduler
    course = new_course(tmp_path / "course")
    for student, (notebook, _) in SUBMISSIONS.items():
        folder = course / "submitted" / student / CH03
        folder.mkdir(parents=True)
        shutil.copyfile(notebook, folder / "linear_softmax.ipynb")
    start_worker("cpu0")
    args = ("autograde", CH03, "--course-dir", str(course), "--scheduler", address, "--gpu")
    refused = run_cli(*args)
    assert refused.returncode == 1
    assert "no Dask worker declares a GPU resource" in refused.stderr

    start_worker("gpu0", "--resources", "GPU=1")
    proc = run_cli(*args)
    assert proc.returncode == 0, proc.stderr[-2000:]
    stored = {s: json.loads((course / "d2l_results" / CH03 / s / "linear_softmax.json")
                            .read_text()) for s in SUBMISSIONS}
    assert {s: d["score"] for s, d in stored.items()} == \
        {s: score for s, (_, score) in SUBMISSIONS.items()}
    assert {d["dask_worker"] for d in stored.values()} == {"gpu0"}


def test_a_bad_scheduler_address_is_one_line(tmp_path, new_course):
    course = new_course(tmp_path / "course")
    folder = course / "submitted" / "alice" / CH03
    folder.mkdir(parents=True)
    shutil.copyfile(SUBMISSIONS["alice"][0], folder / "linear_softmax.ipynb")
    bad = run_cli("autograde", CH03, "--course-dir", str(course), "--scheduler", "nowhere")
    assert bad.returncode == 2 and "--scheduler must be tcp://" in bad.stderr
    port = _port()  # nothing listens there
    down = run_cli("autograde", CH03, "--course-dir", str(course), "--scheduler",
                   f"tcp://127.0.0.1:{port}")
    assert down.returncode == 1 and "cannot reach the Dask scheduler" in down.stderr
    assert "Traceback" not in down.stderr
