"""Benchmark: grading each chapter's solution, against the 60-second budget per chapter.

    .venv/bin/python bench/chapters.py [--repeat 3] [--write docs/benchmarks-chapters.md]

For every assignment it grades all of the chapter's solution notebooks (execute, harvest,
compare: the whole of ``d2l-grade grade``) in a cold sandbox, one notebook after the
other on one worker, as a TA grading that chapter on a laptop would, and takes the median
of ``--repeat`` runs.  In the same process it grades the chapter's released blank
notebooks the same way: that is the baseline (sandbox, interpreter, torch and the
notebook's own set-up cells, no answer doing any work), and the report gives the ratio
solution ÷ blank next to the seconds.  Timings are comparable only within one run.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.course import find_course  # noqa: E402
from autograder.grade import grade_batch  # noqa: E402

BUDGET_S = 60.0


def _time(course, paths: list[Path], repeat: int) -> tuple[float, float]:
    """(median wall seconds to grade ``paths``, total score of the last run)."""
    times, score = [], 0.0
    for _ in range(repeat):
        started = time.monotonic()
        results = grade_batch(course, paths, workers=1, warm=False)
        times.append(time.monotonic() - started)
        score = sum(r.score for r in results)
    return statistics.median(times), score


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    ap.add_argument("--write", type=Path, help="also write the report (Markdown) here")
    ap.add_argument("assignments", nargs="*", help="assignments (default: all)")
    opts = ap.parse_args(argv)
    course = find_course(ROOT)
    rows = []
    for aid in opts.assignments or course.assignment_ids():
        spec = course.spec(aid)
        masters = [course.master_notebook(aid, nb.name) for nb in spec.notebooks]
        blanks = [course.assignments / aid / f"{nb.name}.ipynb" for nb in spec.notebooks]
        full = sum(q.points for nb in spec.notebooks for q in nb.questions)
        blank_s, _ = _time(course, blanks, opts.repeat)
        solution_s, score = _time(course, masters, opts.repeat)
        rows.append((aid, len(masters), solution_s, blank_s, score, full))
        print(f"{aid}: solution {solution_s:.1f} s ({score:g}/{full:g}), blank {blank_s:.1f} s, "
              f"ratio {solution_s / blank_s:.2f}", flush=True)
    lines = [
        "# Grading each chapter's solution",
        "",
        "Produced by `.venv/bin/python bench/chapters.py --write "
        "docs/benchmarks-chapters.md`; medians of "
        f"{opts.repeat} runs in one process.",
        "",
        f"Machine: {os.cpu_count()} cores, {platform.platform()}, Python "
        f"{platform.python_version()}, torch {__import__('torch').__version__}.",
        "Each chapter's solution notebooks are graded one after the other in a cold "
        "bubblewrap sandbox (execute, harvest, compare), as `d2l-grade grade --cold "
        "--workers 1` does; the baseline is the chapter's released blank notebooks graded "
        f"the same way. Budget: {BUDGET_S:.0f} s per chapter.",
        "",
        "| assignment | notebooks | solution s | score | blank (baseline) s | "
        "solution ÷ blank | within budget |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for aid, n, sol, blank, score, full in rows:
        lines.append(f"| {aid} | {n} | {sol:.1f} | {score:g}/{full:g} | {blank:.1f} | "
                     f"{sol / blank:.2f}× | {'yes' if sol <= BUDGET_S else '**no**'} |")
    report = "\n".join(lines) + "\n"
    print(report)
    if opts.write:
        opts.write.write_text(report)
    return 0 if all(r[2] <= BUDGET_S for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
