#!/usr/bin/env bash
# The whole test suite, from a fresh clone: set up, lint, verify fixtures, run pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "· ruff"
.venv/bin/ruff check .
echo "· pytest"
.venv/bin/python -m pytest -q --durations=0 --durations-min=2 "$@"
