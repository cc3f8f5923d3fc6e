#!/usr/bin/env bash
# Project tasks: `bash tasks.sh demo` (main job on the bundled sample) and `bash tasks.sh test` (whole suite).
# Each creates or refreshes the virtual environment in .venv first, so both work on a fresh clone.
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=.venv

ensure_venv() {  # $1: the pip extra to install ("cli" or "dev")
    local extra=$1 spec=".[$1]" stamp
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
    # compiled modules in the source tree (from an in-place mypyc build) would shadow the sources that the
    # editable install runs: the compiled engine lives in release wheels only (CRYPTOTAX_COMPILE=1)
    rm -f cryptotax_core/*.so cryptotax_core/_compiled.json ./*__mypyc.*.so
    # an editable install of plain Python (sources run as they are edited): redo it when the metadata changes
    stamp="$VENV/.installed-$extra-$(cat pyproject.toml setup.py build_backend/*.py | cksum | cut -d' ' -f1)"
    if [ ! -e "$stamp" ]; then
        rm -f "$VENV"/.installed-"$extra"-*
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$spec"
        touch "$stamp"
    fi
}

case "${1:-}" in
    demo)
        ensure_venv cli
        "$VENV/bin/cryptotax" demo --out demo-output --force
        ;;
    test)
        ensure_venv dev
        "$VENV/bin/ruff" check .
        "$VENV/bin/mypy" cryptotax_core cryptotax_cli addin workbook_templates
        "$VENV/bin/python" -m pytest "${@:2}"
        ;;
    *)
        echo "usage: bash tasks.sh demo | test [pytest args]" >&2
        exit 2
        ;;
esac
