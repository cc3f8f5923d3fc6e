#!/usr/bin/env bash
# Project tasks: `bash tasks.sh demo` (main job on the bundled sample) and `bash tasks.sh test` (whole suite).
# Each creates or refreshes the virtual environment in .venv first, so both work on a fresh clone.
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=.venv

ensure_venv() {  # $1: pip extra to install ("" or "dev")
    local extra=$1 spec="." stamp
    [ -n "$extra" ] && spec=".[$extra]"
    if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo "cryptotax needs Python 3.11 or newer as '$PYTHON' (set PYTHON=/path/to/python3.11)." >&2
        exit 1
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        "$PYTHON" -m venv "$VENV" || {
            echo "Could not create $VENV: on Debian run 'apt-get install python3-venv' first." >&2
            exit 1
        }
    fi
    # the install compiles the engine from the package's sources (setup.py): redo it when they change
    stamp="$VENV/.installed-${extra:-base}-$(cat pyproject.toml setup.py $(find cryptotax_core -name '*.py' | sort) \
        | cksum | cut -d' ' -f1)"
    if [ ! -e "$stamp" ]; then
        rm -f "$VENV"/.installed-"${extra:-base}"-*
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$spec"
        touch "$stamp"
    fi
}

case "${1:-}" in
    demo)
        ensure_venv ""
        "$VENV/bin/cryptotax" demo --out demo-output --force
        ;;
    test)
        ensure_venv dev
        "$VENV/bin/ruff" check .
        "$VENV/bin/mypy" cryptotax_core cryptotax_cli addin workbook_templates
        "$VENV/bin/python" -c 'from cryptotax_core import _native as n; print("engine:", "compiled" if n.compiled("engine") else "plain Python")'
        "$VENV/bin/python" -m pytest "${@:2}"
        # the same suite with the engine as plain Python, as it runs where it could not be compiled
        echo "engine: plain Python (CRYPTOTAX_PURE=1)"
        CRYPTOTAX_PURE=1 "$VENV/bin/python" -m pytest "${@:2}"
        ;;
    *)
        echo "usage: bash tasks.sh demo | test [pytest args]" >&2
        exit 2
        ;;
esac
