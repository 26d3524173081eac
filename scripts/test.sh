#!/usr/bin/env bash
# The whole test suite, from a fresh clone: set up, lint, verify fixtures, run pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "· ruff"
.venv/bin/ruff check .
echo "· pytest"
# Two pytest workers (pytest-xdist): while one waits (a hub, pip, PostgreSQL, a browser)
# the other computes.  Each test file stays on one worker, and every file that reads the
# shared verdicts shares one (tests/conftest.py), so each notebook is graded once.
.venv/bin/python -m pytest -q -n "${D2L_TEST_WORKERS:-2}" --dist loadgroup \
    --durations=0 --durations-min=2 "$@"
