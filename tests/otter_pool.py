"""Many ``otter run``s at once, without paying otter's start-up for each.

``otter run`` imports otter, nbconvert and nbclient before it grades anything: 5 s of CPU
per run on CI, for about a hundred runs.  Here a fork server imports them once and every
run is a fresh child of it (``maxtasksperchild=1``: no run sees another's state) calling
``otter.run.main``, the function the command calls.  The kernel each run starts pays the
same again (ipykernel, torch, otter, torch._dynamo): with ``fork_kernels`` it is forked
from a server that imported them once (tests/kernel_forker.py), 5 CPU-s less per run as
measured.  The first run of a batch goes through the command itself, as users type it,
with a plain kernel.

Light on purpose: the fork server imports this module, so it must not import torch.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import subprocess
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

from . import kernel_forker

OTTER = Path(sys.executable).parent / "otter"
FORKER = Path(kernel_forker.__file__)
PRELOAD = ["tests.otter_pool", "otter.run", "otter.run.run_autograder", "otter.execute",
           "nbconvert", "nbclient", "jupyter_client"]


def scores_in(out: Path) -> dict[str, float]:
    """Per-question scores from a run's results.json."""
    results = json.loads((Path(out) / "results.json").read_text())
    return {t["name"]: t["score"] for t in results["tests"] if "score" in t}


def run_command(zip_path: Path, notebook: Path, out: Path) -> dict[str, float]:
    """``otter run`` as a user types it."""
    out.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([str(OTTER), "run", "--no-logo", "-a", str(zip_path), "-o", str(out),
                           str(notebook)], capture_output=True, text=True, timeout=600,
                          cwd=out)
    if proc.returncode != 0:
        raise AssertionError(proc.stderr[-3000:])
    return scores_in(out)


def _run_one(job: tuple[str, str, str, bool, str]) -> str:
    """One run in a child of the fork server; '' or the error as text (nothing a notebook
    produced crosses back but results.json)."""
    zip_path, notebook, out, command, kernels = job
    # One kernel per core: two kernels with a torch thread pool each on two cores spin
    # against each other (the grader's own batches set one thread per notebook too).
    os.environ.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    if kernels:  # the forked kernels' spec first (tests/kernel_forker.py)
        os.environ["JUPYTER_PATH"] = os.pathsep.join(
            [kernels, *filter(None, [os.environ.get("JUPYTER_PATH")])])
    try:
        os.makedirs(out, exist_ok=True)
        if command:
            run_command(Path(zip_path), Path(notebook), Path(out))
            return ""
        os.chdir(out)
        import otter.run

        otter.run.main(notebook, autograder=zip_path, output_dir=out, no_logo=True)
        return ""
    except BaseException:  # noqa: BLE001 - reported by the test that reads this run
        return traceback.format_exc()[-3000:]


@contextlib.contextmanager
def forked_kernels(folder: Path) -> Iterator[Path]:
    """A kernel server (tests/kernel_forker.py) for as long as the block runs; yields the
    folder that, first on ``JUPYTER_PATH``, makes its kernels the ``python3`` kernel."""
    folder.mkdir(parents=True, exist_ok=True)
    server = folder / "kernels.sock"
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    proc = subprocess.Popen([sys.executable, str(FORKER), "serve", str(server)], cwd=folder,
                            env=env, stdout=subprocess.PIPE, text=True)
    try:
        if proc.stdout.readline().strip() != "ready":
            raise RuntimeError(f"the kernel server did not start (exit {proc.wait()})")
        yield kernel_forker.kernelspec(folder / "spec", server)
    finally:
        proc.kill()
        proc.wait()


def run_all(jobs: list[tuple[object, Path, Path, Path]], width: int | None = None,
            fork_kernels: Path | None = None,
            ) -> dict[object, tuple[dict[str, float] | BaseException, Path]]:
    """key → (scores, or the error to raise, and the run's folder) for (key, zip,
    notebook, folder) jobs, ``width`` at a time (default: one per core).

    With ``fork_kernels`` (a scratch folder), every run but the first gets its kernel
    from :func:`forked_kernels`; the first starts a plain kernel, through the command.
    """
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    with contextlib.ExitStack() as stack:
        kernels = str(stack.enter_context(forked_kernels(fork_kernels))) if fork_kernels \
            else ""
        args = [(str(z), str(n), str(o), i == 0, "" if i == 0 else kernels)
                for i, (_, z, n, o) in enumerate(jobs)]
        with ctx.Pool(width or os.cpu_count() or 2, maxtasksperchild=1) as pool:
            errors = pool.map(_run_one, args, chunksize=1)
    done: dict[object, tuple[dict[str, float] | BaseException, Path]] = {}
    for (key, _, _, out), error in zip(jobs, errors, strict=True):
        if error or not (Path(out) / "results.json").is_file():
            done[key] = (AssertionError(f"otter run failed:\n{error}"), Path(out))
        else:
            done[key] = (scores_in(Path(out)), Path(out))
    return done
