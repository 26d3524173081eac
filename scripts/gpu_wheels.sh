#!/usr/bin/env bash
# Download, on a machine with internet, the wheels that scripts/gpu_check.sh needs on a GPU
# machine that has none: the grader's pure-Python dependencies that a PyTorch+CUDA image
# usually lacks (nbformat, IPython, OpenCC and what they import), for CPython 3.12 on
# x86-64 Linux, at the versions this checkout's .venv uses.  They land in .whl/ (ignored
# by git); carry that folder to the GPU machine with the checkout.
#
#   bash scripts/gpu_wheels.sh            # PY=3.12 by default; PY=3.11 for another image
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-3.12}
[ -x .venv/bin/python ] || { echo "run scripts/setup.sh first (the versions come from .venv)" >&2; exit 1; }
PACKAGES="nbformat fastjsonschema jsonschema jsonschema-specifications referencing rpds-py
  jupyter_core platformdirs traitlets ipython ipython_pygments_lexers jedi parso
  matplotlib-inline pexpect ptyprocess prompt_toolkit wcwidth stack_data asttokens executing
  pure_eval opencc"
mkdir -p .whl
for pkg in $PACKAGES; do
  version=$(.venv/bin/python -m pip show "$pkg" 2>/dev/null | sed -n 's/^Version: //p')
  [ -n "$version" ] || { echo "· $pkg is not in .venv; skipped" >&2; continue; }
  echo "· $pkg==$version"
  .venv/bin/python -m pip download --quiet --disable-pip-version-check --no-deps \
    --only-binary=:all: --python-version "$PY" --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 --platform any -d .whl "$pkg==$version"
done
echo "wheels in .whl/: $(ls .whl | wc -l) files, $(du -sh .whl | cut -f1)"
