#!/usr/bin/env bash
# Set up .venv with everything d2l-autograder needs; safe to run again (it only adds
# what is missing).  torch is pinned to the CPU build 2.13.0; set TORCH_SPEC to change it
# (a GPU image installs a CUDA build instead).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "error: d2l-autograder needs Python 3.11 or newer ($PY is $("$PY" -V 2>&1))" >&2
    exit 2
fi
if [ ! -x .venv/bin/python ]; then
    echo "· creating .venv"
    "$PY" -m venv .venv
fi
pip_install() { .venv/bin/python -m pip install --quiet --disable-pip-version-check "$@"; }
echo "· installing torch (${TORCH_SPEC:-torch==2.13.0})"
pip_install "${TORCH_SPEC:-torch==2.13.0}"
echo "· installing d2l-autograder and its dependencies"
pip_install -e ".[dev]"
echo "· ready: .venv/bin/d2l-grade --help"
