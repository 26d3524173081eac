"""GPU check: every chapter's solution and mistake notebooks graded on the CPU and with
``--gpu``, verdict against verdict, per question.

    python bench/gpu_check.py [--sandbox bwrap|none] [--write docs/gpu.md] [ASSIGNMENT...]

Run it on a machine with an NVIDIA GPU (``scripts/gpu_check.sh`` prepares one that has
no internet).  For every notebook it grades the master and each mistake notebook twice,
one after the other in the same process: first on the CPU, then with the GPU (cases run
on ``cuda`` under IEEE float32 and deterministic kernels, judged with each question's GPU
tolerance).  The table gives, per question, both scores, whether they are equal, and the
closest call on each device: the largest |actual − expected| ÷ allowed difference seen
over the question's cases (≤ 1 passes), so a GPU result that passes only narrowly shows.
Timings are the two runs' wall seconds and their ratio.  Exit status 0 when every verdict
is equal and every GPU case ran on the GPU, else 1.

``--allow-cpu`` runs the comparison without a GPU (both columns are then the CPU's); the
test suite uses it to check this script on CI machines.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from autograder.course import Course, find_course  # noqa: E402
from autograder.grade import NotebookResult, grade_batch  # noqa: E402
from autograder.runner import Limits  # noqa: E402
from autograder.sandbox import SandboxOptions  # noqa: E402


def subjects(course: Course, assignment: str, notebook: str) -> list[tuple[str, Path]]:
    """(label, path): the master notebook, then each mistake notebook of this notebook."""
    out = [("solution", course.master_notebook(assignment, notebook))]
    folder = course.root / "tests" / "notebooks" / assignment
    for listing in sorted(folder.glob("mistakes*.json")):
        for m in json.loads(listing.read_text()):
            if m.get("notebook", notebook) == notebook:
                out.append((Path(m["file"]).stem, folder / m["file"]))
    return out


def _margin(result: NotebookResult, question: str) -> float | None:
    margins = [c.margin for q in result.questions if q.name == question for c in q.cases
               if c.margin is not None]
    return max(margins) if margins else None


def _fmt_margin(m: float | None) -> str:
    return "—" if m is None else f"{m:.2g}"


def compare_devices(course: Course, assignment: str, sandbox: str
                    ) -> tuple[list[list[str]], float, float, int, int, bool]:
    """Rows of the table for one assignment, CPU and GPU seconds, pairs, equal pairs,
    and whether every GPU run really used the GPU."""
    rows, cpu_s, gpu_s, pairs, equal, used_gpu = [], 0.0, 0.0, 0, 0, True
    for nb in course.spec(assignment).notebooks:
        labelled = subjects(course, assignment, nb.name)
        paths = [p for _, p in labelled]
        started = time.monotonic()
        on_cpu = grade_batch(course, paths, Limits(sandbox=SandboxOptions(kind=sandbox)))
        cpu_s += time.monotonic() - started
        started = time.monotonic()
        on_gpu = grade_batch(course, paths,
                             Limits(sandbox=SandboxOptions(kind=sandbox, gpu=True)))
        gpu_s += time.monotonic() - started
        for (label, _), c, g in zip(labelled, on_cpu, on_gpu, strict=True):
            used_gpu &= not any("GPU was asked for" in n["en"] for n in g.notes)
            for qc, qg in zip(c.questions, g.questions, strict=True):
                same = (qc.score, qc.status) == (qg.score, qg.status)
                pairs += 1
                equal += same
                rows.append([f"{nb.name}", label, qc.name, f"{qc.score:g}/{qc.max_score:g}",
                             f"{qg.score:g}/{qg.max_score:g}", "yes" if same else "**NO**",
                             _fmt_margin(_margin(c, qc.name)), _fmt_margin(_margin(g, qg.name))])
        print(f"{assignment}/{nb.name}: {len(paths)} notebooks graded on both devices",
              file=sys.stderr, flush=True)
    return rows, cpu_s, gpu_s, pairs, equal, used_gpu


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sandbox", choices=("bwrap", "none"), default="bwrap",
                    help="sandbox for both runs (none: our own notebooks only)")
    ap.add_argument("--write", type=Path, help="also write the report (Markdown) here")
    ap.add_argument("--allow-cpu", action="store_true",
                    help="run even without a GPU (both columns are then the CPU's)")
    ap.add_argument("assignments", nargs="*", help="assignments (default: all)")
    opts = ap.parse_args(argv)
    if not torch.cuda.is_available() and not opts.allow_cpu:
        print("error: no CUDA device is visible to torch; run this on the GPU machine "
              "(or pass --allow-cpu to test the script)", file=sys.stderr)
        return 2
    course = find_course(ROOT)
    known = course.assignment_ids()
    for aid in opts.assignments:
        if aid not in known:
            print(f"error: unknown assignment {aid!r}; this course has: {', '.join(known)}",
                  file=sys.stderr)
            return 2
    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU (CPU)"
    lines = [
        "# CPU and GPU verdicts, question by question",
        "",
        f"Produced by `scripts/gpu_check.sh` (`bench/gpu_check.py`) on "
        f"{datetime.date.today().isoformat()}: {device}, torch {torch.__version__}, "
        f"sandbox `{opts.sandbox}`.",
        "Each notebook (the master and every mistake notebook) is graded on the CPU and then "
        "with `--gpu`; *closest* is the largest difference ÷ allowed difference over the "
        "question's cases (≤ 1 passes; — when nothing floating was compared).",
        "",
    ]
    table = ["| notebook | subject | question | CPU | GPU | equal | closest (CPU) | "
             "closest (GPU) |", "| --- | --- | --- | ---: | ---: | --- | ---: | ---: |"]
    totals = []
    all_used = True
    for aid in opts.assignments or known:
        rows, cpu_s, gpu_s, pairs, equal, used = compare_devices(course, aid, opts.sandbox)
        all_used &= used
        totals.append((aid, cpu_s, gpu_s, pairs, equal))
        table += [f"| {aid}/" + " | ".join(r) + " |" for r in rows]
    lines += ["| assignment | verdicts compared | equal | CPU s | GPU s | GPU ÷ CPU |",
              "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for aid, cpu_s, gpu_s, pairs, equal in totals:
        lines.append(f"| {aid} | {pairs} | {equal} | {cpu_s:.1f} | {gpu_s:.1f} | "
                     f"{gpu_s / cpu_s:.2f}× |")
    pairs = sum(t[3] for t in totals)
    equal = sum(t[4] for t in totals)
    lines += ["", f"**{equal} of {pairs} verdicts equal on CPU and GPU"
              + ("" if all_used else "; some GPU runs saw no GPU and ran on the CPU") + ".**",
              "", *table]
    report = "\n".join(lines) + "\n"
    print(report)
    if opts.write:
        opts.write.write_text(report)
    return 0 if equal == pairs and (all_used or opts.allow_cpu) else 1


if __name__ == "__main__":
    sys.exit(main())
