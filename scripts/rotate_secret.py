"""Does the reference pass its own checks whatever the case secret draws?

A course's hidden cases are drawn from seeds mixed with its secret (autograder/spec.py),
so every course, and every ``d2l-grade fixtures build`` after a secret is rotated, grades
with inputs nobody has run before.  A question whose invariant or tolerance holds for the
committed secret but not for one draw in twenty would fail a correct answer in one
course in twenty.  This draws fresh secrets, builds every notebook's plan with each and
runs the reference through it, invariants included, writing nothing; it lists every case
the reference fails.  Two such bounds were found this way (ch03 ``fit_poly`` and
``synthetic_data``, session 9).  A round takes about a minute on one core.

    .venv/bin/python scripts/rotate_secret.py --rounds 20 [--notebook fit_poly ...]

Exit status 0 when the reference passed every round, 1 when it failed somewhere.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder import wire  # noqa: E402
from autograder.course import find_course  # noqa: E402
from autograder.fixtures import deterministic_cpu, make_plan, run_reference  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10, help="fresh secrets to draw")
    parser.add_argument("--notebook", action="append", default=[],
                        help="only this notebook (repeatable; default: every notebook)")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    course = find_course(ROOT)
    notebooks = [(a, nb) for a in course.assignment_ids() for nb in course.spec(a).notebooks
                 if not args.notebook or nb.name in args.notebook]
    unknown = set(args.notebook) - {nb.name for _, nb in notebooks}
    if unknown:
        parser.error(f"no such notebook: {', '.join(sorted(unknown))}")
    failures = 0
    started = time.monotonic()
    for round_ in range(1, args.rounds + 1):
        secret = os.urandom(32)
        for assignment, nb in notebooks:
            with deterministic_cpu():
                plan = make_plan(course.spec(assignment), nb, secret)
            plan = wire.decode(*wire.encode(plan))  # as the sandbox receives it
            try:
                run_reference(nb, plan)
            except Exception as exc:  # noqa: BLE001 - every failure is reported, none stops
                failures += 1
                print(f"round {round_}: {assignment}/{nb.name}: {str(exc)[:300]}", flush=True)
        print(f"round {round_}/{args.rounds} done, {failures} failures so far, "
              f"{time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    print(f"{failures} failures in {args.rounds} rounds of {len(notebooks)} notebooks")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
