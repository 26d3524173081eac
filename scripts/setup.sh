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
if ! command -v bwrap >/dev/null 2>&1; then
    # Grading runs notebooks inside bubblewrap; install Debian's package when we can.
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "· installing bubblewrap (apt-get)"
        apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq bubblewrap >/dev/null
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null && command -v apt-get >/dev/null; then
        echo "· installing bubblewrap (sudo apt-get)"
        sudo apt-get update -qq >/dev/null && sudo DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq bubblewrap >/dev/null
    else
        echo "! bubblewrap (bwrap) is missing and cannot be installed from here: install it" \
             "(Debian/Ubuntu: apt-get install bubblewrap), or grade with --sandbox=none" >&2
    fi
fi
pip_install() { .venv/bin/python -m pip install --quiet --disable-pip-version-check "$@"; }
# pip resolves, unpacks and compiles some 180 packages one at a time: 2.5 minutes of CPU on
# a fresh machine, an eighth of CI's budget.  uv (a PyPI package, put into .venv by pip)
# installs the same versions in about 30 s, and compiles their bytecode in 45 s more (the
# grading sandbox mounts .venv read-only, so a missing .pyc would be compiled again on
# every sandboxed import).  It reads none of pip's settings, so pip's own find-links and
# index URLs (where this machine keeps its wheels: the CPU torch) are handed over, and it
# resolves across every index as pip does.  If uv cannot be had or fails, pip installs
# everything as before.
uv_args() {
    local key value item
    .venv/bin/python -m pip config list 2>/dev/null | while IFS='=' read -r key value; do
        value=${value#\'}; value=${value%\'}
        case "$key" in
            *.find-links) for item in $value; do printf '%s\n' --find-links "$item"; done ;;
            *.extra-index-url) for item in $value; do printf '%s\n' --extra-index-url "$item"; done ;;
            *.index-url) printf '%s\n' --index-url "$value" ;;
        esac
    done
}
uv_install() {
    local args=()
    mapfile -t args < <(uv_args)
    .venv/bin/uv pip install --quiet --python .venv/bin/python --native-tls --compile-bytecode \
        --index-strategy unsafe-best-match "${args[@]}" "$@"
}
packages=("${TORCH_SPEC:-torch==2.13.0}" -e ".[dev]")
echo "· installing torch (${TORCH_SPEC:-torch==2.13.0}), d2l-autograder and its dependencies"
if ! { [ -x .venv/bin/uv ] || pip_install uv >/dev/null 2>&1; } || ! uv_install "${packages[@]}"; then
    echo "· uv unavailable or failed: installing with pip"
    pip_install "${packages[0]}"
    pip_install "${packages[@]:1}"
fi
if command -v npm >/dev/null 2>&1; then
    # The hub's proxy (package.json): only for the hosted course and its tests.
    if [ ! -x node_modules/.bin/configurable-http-proxy ]; then
        echo "· installing configurable-http-proxy (npm)"
        npm install --no-audit --no-fund --loglevel=error >/dev/null
    fi
else
    echo "· npm not found: skipping configurable-http-proxy (only the hub needs it)"
fi
echo "· ready: .venv/bin/d2l-grade --help"
