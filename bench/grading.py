"""Benchmark: ``d2l-grade`` against ``otter run`` and ``nbgrader autograde``, same notebooks.

    .venv/bin/python bench/grading.py [--n 24] [--skip-otter] [--skip-nbgrader]
                                      [--write docs/benchmarks.md]

It builds N chapter-3 submissions (a mix of correct, partly wrong and blank notebooks),
grades the same set with each tool in one run, and prints per tool the median seconds per
submission, submissions per minute, peak memory (the whole process tree, sampled) and
the throughput ratio of d2l-grade over the tool; then a breakdown of d2l-grade's own time.
The last line is machine-readable:

    overhead_median_s=<x> ratio_vs_otter=<y> ratio_vs_nbgrader=<z>

otter-grader 7.0.0 is installed on first use into ``bench/.venv-otter`` (it brings ~90
packages we do not otherwise need). Its tests are one exception-format test per question
that runs the notebook's public cases through ``autograder.check``, so every tool runs the
same notebook cells. Timings are only comparable within one run on one machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work"
OTTER_VENV = ROOT / "bench" / ".venv-otter"
CH = "ch03_basics"
PUBLIC = ROOT / "assignments" / CH / "public"
KINDS = [  # (label, source notebook): the realistic mix
    ("correct", ROOT / "examples" / CH / "correct.ipynb"),
    ("partly_wrong", ROOT / "examples" / CH / "partly_wrong.ipynb"),
    ("blank", ROOT / "examples" / CH / "blank.ipynb"),
    ("softmax_mistake", ROOT / "tests/notebooks" / CH / "mistake_softmax_no_row_norm.ipynb"),
    ("ce_mistake", ROOT / "tests/notebooks" / CH / "mistake_cross_entropy_wrong_axis.ipynb"),
    ("sgd_mistake", ROOT / "tests/notebooks" / CH / "mistake_sgd_no_batch_division.ipynb"),
]
QUESTIONS = {"synthetic_data": 1, "data_iter": 1, "linreg": 1, "squared_loss": 1, "sgd": 2,
             "get_fashion_mnist_labels": 1, "softmax": 2, "net": 1, "cross_entropy": 2,
             "accuracy": 1, "evaluate_accuracy": 1, "train_ch3": 3,
             "softmax_regression_concise": 1}


class PeakMemory(threading.Thread):
    """Samples the summed resident memory of a process and all its descendants."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0, threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.1):
            parents, rss = {}, {}
            for stat in Path("/proc").glob("[0-9]*/stat"):
                try:
                    fields = stat.read_text().rsplit(")", 1)[1].split()
                    pid = int(stat.parent.name)
                    parents[pid] = int(fields[1])
                    rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
                except (OSError, ValueError, IndexError):
                    continue
            tree, grew = {self.pid}, True
            while grew:
                grew = False
                for pid, ppid in parents.items():
                    if ppid in tree and pid not in tree:
                        tree.add(pid)
                        grew = True
            self.peak = max(self.peak, sum(rss.get(p, 0) for p in tree))


def timed(cmd: list[str], env: dict | None = None, cwd: Path = ROOT) -> tuple[float, int, str]:
    """(wall seconds, peak bytes, combined output) of one command."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    sampler = PeakMemory(proc.pid)
    sampler.start()
    out, _ = proc.communicate()
    sampler.stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} … failed ({proc.returncode}):\n{out[-3000:]}")
    return time.monotonic() - started, sampler.peak, out


def quiet(cmd: list[str], **kwargs) -> None:
    """Run a set-up command; on failure show its output."""
    proc = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} … failed:\n{(proc.stdout + proc.stderr)[-3000:]}")


def make_submissions(n: int) -> list[Path]:
    folder = WORK / "subs"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    paths = []
    for i in range(n):
        label, source = KINDS[i % len(KINDS)]
        path = folder / f"s{i:03d}_{label}.ipynb"
        shutil.copyfile(source, path)
        paths.append(path)
    return paths


def kernel_env(data_dir: Path) -> dict:
    return dict(os.environ, D2L_DATA_DIR=str(data_dir), D2L_PUBLIC_DIR=str(PUBLIC),
                PYTHONHASHSEED="0")


# ---- d2l-grade ---------------------------------------------------------------------------

def run_d2l(paths: list[Path], extra: list[str]) -> dict:
    out = WORK / "d2l.json"
    wall, peak, _ = timed([str(ROOT / ".venv/bin/d2l-grade"), "grade", *map(str, paths),
                           "--json", str(out), "--lang", "en", *extra])
    results = json.loads(out.read_text())
    results = results if isinstance(results, list) else [results]
    totals = [r["execution_time"] for r in results]
    cells = [r["extra_data"]["timings"].get("student_cells", 0.0) for r in results]
    phases: dict[str, list[float]] = {}
    for r in results:
        for key, value in r["extra_data"]["timings"].items():
            phases.setdefault(key, []).append(value)
    # Writing results: the JSON report, re-serialised here per notebook and timed.
    writes = []
    for r in results:
        t = time.monotonic()
        (WORK / "one.json").write_text(json.dumps(r, ensure_ascii=False, indent=1))
        writes.append(time.monotonic() - t)
    phases["write"] = writes
    return {"wall": wall, "peak": peak, "per_sub": totals, "scores": [r["score"] for r in results],
            "overhead": [t + w - c for t, w, c in zip(totals, writes, cells, strict=True)],
            "phases": phases}


def cold_start_parts() -> dict[str, float]:
    """What a cold sandbox pays before the first cell, measured piece by piece."""
    py = str(ROOT / ".venv/bin/python")

    def median_of(cmd: list[str], k: int = 5) -> float:
        times = []
        for _ in range(k):
            t = time.monotonic()
            subprocess.run(cmd, check=True, capture_output=True)
            times.append(time.monotonic() - t)
        return statistics.median(times)

    bwrap = shutil.which("bwrap")
    sandbox = median_of([bwrap, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/",
                         "--proc", "/proc", "--dev", "/dev", "true"]) if bwrap else float("nan")
    interpreter = median_of([py, "-c", "pass"])
    torch_import = median_of([py, "-c", "import torch"]) - interpreter
    shell = median_of([py, "-c", "import torch, IPython.core.interactiveshell as s; "
                       "s.InteractiveShell.instance(); import torch.optim; "
                       "torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=.1)"]) \
        - interpreter - torch_import
    return {"sandbox start (bwrap)": sandbox, "interpreter start": interpreter,
            "import torch": torch_import, "IPython shell + torch.optim warm-up": shell}


# ---- otter ------------------------------------------------------------------------------

def ensure_otter() -> Path:
    otter = OTTER_VENV / "bin" / "otter"
    if not otter.exists():
        print("· installing otter-grader 7.0.0 into bench/.venv-otter (first run only)")
        subprocess.run([sys.executable, "-m", "venv", str(OTTER_VENV)], check=True)
        pip = [str(OTTER_VENV / "bin/python"), "-m", "pip", "install", "-q"]
        subprocess.run([*pip, "otter-grader[grading]==7.0.0", "torch==2.13.0"], check=True)
        subprocess.run([*pip, "--no-deps", "-e", str(ROOT)], check=True)
    return otter


def otter_autograder(otter: Path) -> Path:
    tests = WORK / "otter" / "tests"
    shutil.rmtree(tests.parent, ignore_errors=True)
    tests.mkdir(parents=True)
    for name, points in QUESTIONS.items():
        (tests / f"{name}.py").write_text(f'''from otter.test_files import test_case

OK_FORMAT = False
name = "{name}"
points = {points}


@test_case(points=None, hidden=False)
def test_{name}(env):
    from autograder.check import Checker
    results = Checker("{CH}", "linear_softmax").results("{name}", env)
    assert results and all(ok for _, ok, _ in results), results
''')
    zip_path = tests.parent / "autograder.zip"
    subprocess.run([str(otter), "generate", "-t", str(tests), "-o", str(zip_path),
                    "--no-environment", "--no-requirements", "--no-config"], check=True,
                   cwd=tests.parent, capture_output=True)
    return zip_path


def run_otter(paths: list[Path], data_dir: Path) -> dict:
    otter = ensure_otter()
    zip_path = otter_autograder(otter)
    env = kernel_env(data_dir)
    env["PATH"] = f"{OTTER_VENV / 'bin'}:{env['PATH']}"
    per_sub, peak, scores = [], 0, []
    started = time.monotonic()
    for path in paths:
        out = WORK / "otter" / path.stem
        out.mkdir(parents=True, exist_ok=True)
        wall, mem, _ = timed([str(otter), "run", "--no-logo", "-a", str(zip_path), "-o",
                              str(out), str(path)], env=env)
        per_sub.append(wall)
        peak = max(peak, mem)
        tests = json.loads((out / "results.json").read_text())["tests"]
        scores.append(sum(t.get("score") or 0 for t in tests))
    return {"wall": time.monotonic() - started, "peak": peak, "per_sub": per_sub,
            "scores": scores}


# ---- nbgrader ---------------------------------------------------------------------------

def run_nbgrader(paths: list[Path], data_dir: Path) -> dict:
    course = WORK / "nbgrader"
    shutil.rmtree(course, ignore_errors=True)
    (course / "source" / CH).mkdir(parents=True)
    shutil.copyfile(ROOT / "solutions" / CH / "linear_softmax.ipynb",
                    course / "source" / CH / "linear_softmax.ipynb")
    (course / "nbgrader_config.py").write_text(
        'c = get_config()\nc.CourseDirectory.course_id = "bench"\n'
        f'c.CourseDirectory.root = "{course}"\nc.ExecutePreprocessor.timeout = 120\n')
    nbgrader = str(ROOT / ".venv" / "bin" / "nbgrader")
    env = kernel_env(data_dir)
    env["PATH"] = f"{ROOT / '.venv' / 'bin'}:{env['PATH']}"  # nbgrader runs `alembic`
    quiet([nbgrader, "generate_assignment", CH, "--force"], cwd=course, env=env)
    for path in paths:
        folder = course / "submitted" / path.stem / CH
        folder.mkdir(parents=True)
        shutil.copyfile(path, folder / "linear_softmax.ipynb")
        (folder / "timestamp.txt").write_text("2026-11-27 10:00:00.000000 UTC\n")
        quiet([nbgrader, "db", "student", "add", path.stem], cwd=course, env=env)
    wall, peak, _ = timed([nbgrader, "autograde", CH, "--force"], env=env, cwd=course)
    return {"wall": wall, "peak": peak, "per_sub": [wall / len(paths)] * len(paths),
            "scores": []}


# ---- report -----------------------------------------------------------------------------

def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import torch

    return (f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, Linux {platform.release()}, "
            f"Python {platform.python_version()}, torch {torch.__version__}, no GPU")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=24, help="number of submissions (at least 20)")
    ap.add_argument("--skip-otter", action="store_true", help="do not run otter")
    ap.add_argument("--skip-nbgrader", action="store_true", help="do not run nbgrader")
    ap.add_argument("--write", type=Path, help="also write the report (Markdown) here")
    args = ap.parse_args()
    if args.n < 20:
        ap.error("--n must be at least 20")
    sys.path.insert(0, str(ROOT))
    from autograder.course import find_course
    from autograder.grade import prepare_data

    course = find_course(ROOT)
    data_dir = prepare_data(course, CH, course.spec(CH).notebook("linear_softmax"))
    paths = make_submissions(args.n)
    print(f"· {args.n} submissions ({', '.join(k for k, _ in KINDS)}), on {machine()}")

    print("· d2l-grade (sandbox on, warm workers)")
    d2l = run_d2l(paths, [])
    print("· d2l-grade --cold --workers 1 (a fresh sandbox per notebook, for the breakdown)")
    cold = run_d2l(paths[: len(KINDS)], ["--cold", "--workers", "1"])
    tools = {"d2l-grade": d2l}
    if not args.skip_otter:
        print("· otter run (one submission at a time, as the tool works)")
        tools["otter run"] = run_otter(paths, data_dir)
    if not args.skip_nbgrader:
        print("· nbgrader autograde")
        tools["nbgrader autograde"] = run_nbgrader(paths, data_dir)

    lines = [f"Machine: {machine()}.", f"Submissions: {args.n} chapter-3 notebooks "
             f"({', '.join(k for k, _ in KINDS)}, in turn).", "",
             "| tool | median s / submission | submissions / min | peak memory | "
             "d2l-grade throughput ÷ tool |", "| --- | ---: | ---: | ---: | ---: |"]
    rate = {name: 60 * args.n / t["wall"] for name, t in tools.items()}
    for name, t in tools.items():
        ratio = rate["d2l-grade"] / rate[name]
        lines.append(f"| {name} | {statistics.median(t['per_sub']):.2f} | {rate[name]:.1f} | "
                     f"{t['peak'] / 2**20:.0f} MiB | {ratio:.1f}× |")
    overhead = statistics.median(d2l["overhead"])
    lines += ["", "d2l-grade, per submission (median seconds, warm workers):", "",
              "| phase | median s |", "| --- | ---: |"]
    names = {"startup": "fork a child from the warm worker, read inputs",
             "cells": "the notebook's cells", "harvest": "harvest (call answers on cases)",
             "transfer": "send the harvest back, parse", "compare": "compare and score",
             "write": "write the results (JSON)",
             "student_cells": "…of which the student's own cells (child-measured)"}
    for key, label in names.items():
        if key in d2l["phases"]:
            lines.append(f"| {label} | {statistics.median(d2l['phases'][key]):.3f} |")
    lines += [f"| **overhead (total − student's cells)** | **{overhead:.3f}** |", "",
              "A cold sandbox per notebook (`--cold`) pays, before the first cell:", "",
              "| part | median s |", "| --- | ---: |"]
    for part, secs in cold_start_parts().items():
        lines.append(f"| {part} | {secs:.3f} |")
    lines += ["| measured startup of `--cold` (sandbox, interpreter, torch, IPython; "
              "torch.optim loads later, on first use) | "
              f"{statistics.median(cold['phases']['startup']):.3f} |",
              f"| `--cold` total per submission | {statistics.median(cold['per_sub']):.3f} |"]
    lines += ["", "nbgrader reports no time per submission: its figure is the batch's wall "
              "time divided by N. otter runs one submission per command, as it is used."]
    report = "\n".join(lines)
    print()
    print(report)
    if args.write:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(
            "# Grading benchmark\n\nProduced by `.venv/bin/python bench/grading.py "
            f"--n {args.n} --write {args.write}`; numbers from one run.\n\n{report}\n")
    r_otter = (rate["d2l-grade"] / rate["otter run"]) if "otter run" in rate else float("nan")
    r_nb = (rate["d2l-grade"] / rate["nbgrader autograde"]
            if "nbgrader autograde" in rate else float("nan"))
    print(f"overhead_median_s={overhead:.3f} ratio_vs_otter={r_otter:.2f} "
          f"ratio_vs_nbgrader={r_nb:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
