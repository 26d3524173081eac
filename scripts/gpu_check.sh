#!/usr/bin/env bash
# On a GPU machine without internet: grade every chapter's solution and mistake notebooks
# on the CPU and with --gpu, and print the verdicts side by side (bench/gpu_check.py),
# writing docs/gpu.md.  Installs nothing from the network:
#   - Python packages the image lacks come from .whl/ (made by scripts/gpu_wheels.sh on a
#     machine with internet), installed into a temporary folder, never into the image;
#   - bubblewrap comes from the system, or from .gpu-carry/ (a bwrap binary and its
#     libraries); without a working one the check runs with --sandbox none, which is
#     acceptable here because every notebook graded is our own.
#
#   bash scripts/gpu_check.sh [ASSIGNMENT...]        # PYTHON=python3 by default
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}
export PYTHONUNBUFFERED=1
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
missing() {
  "$PYTHON" -c 'import importlib.util as u; print(" ".join(n for n in ["torch", "numpy",
    "nbformat", "IPython", "opencc", "rich", "typer"] if u.find_spec(n) is None))'
}
if [ -n "$(missing)" ] && compgen -G ".whl/*.whl" > /dev/null; then
  site=$(mktemp -d /tmp/d2l-site.XXXXXX)
  "$PYTHON" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir \
    --target "$site" .whl/*.whl
  export PYTHONPATH="$site:$PYTHONPATH"
  echo "· carried wheels installed into $site"
fi
if [ -n "$(missing)" ]; then
  echo "missing Python packages: $(missing) (carry them: bash scripts/gpu_wheels.sh)" >&2
  exit 2
fi
"$PYTHON" -c 'import torch; assert torch.cuda.is_available(), "no CUDA device visible"; print("·", torch.cuda.get_device_name(0), "torch", torch.__version__)'
if [ -x .gpu-carry/bwrap ]; then
  export PATH="$PWD/.gpu-carry:$PATH" LD_LIBRARY_PATH="$PWD/.gpu-carry${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
sandbox=none
if command -v bwrap > /dev/null && bwrap --ro-bind / / --dev /dev --proc /proc true 2> /dev/null; then
  sandbox=bwrap
fi
echo "· sandbox: $sandbox"
"$PYTHON" bench/gpu_check.py --sandbox "$sandbox" --write docs/gpu.md "$@"
