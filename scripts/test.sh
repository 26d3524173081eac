#!/usr/bin/env bash
# The whole test suite, from a fresh clone: set up, lint, verify fixtures, run pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
# A checkout with no .venv (a fresh clone, as in CI): the setup below is the README's first
# command on a fresh copy, so tests/test_readme.py runs that command here instead of
# installing everything a second time into a copy.
if [ ! -e .venv ] && [ -z "$(git status --porcelain --ignored 2>/dev/null)" ]; then
    export D2L_FRESH_CLONE=1
fi
bash scripts/setup.sh
echo "· ruff"
.venv/bin/ruff check .
echo "· pytest"
# Two pytest workers (pytest-xdist): while one waits (a hub, pip, PostgreSQL, a browser)
# the other computes.  Each test file stays on one worker (its module fixtures, a hub or
# a graded class, are built once), the longest files first (tests/conftest.py), and both
# workers read one verdict store, so each notebook is graded once (tests/verdicts.py).
# Each worker, and everything it grades, keeps to its share of the cores: torch threads
# that spin-wait beside the other worker's work cost several times the CPU
# (autograder/runner.py: threads_from_env).
workers=${D2L_TEST_WORKERS:-2}
share=$(( $(nproc) / workers ))
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-$(( share > 0 ? share : 1 ))}
export MKL_NUM_THREADS=$OMP_NUM_THREADS
.venv/bin/python -m pytest -q -n "$workers" --dist loadfile --no-loadscope-reorder \
    --durations=0 --durations-min=2 "$@"
