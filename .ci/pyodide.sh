#!/usr/bin/env bash
# The Excel functions in Pyodide (xlwings Lite's runtime) under Node: the project's pure wheel and its
# dependencies' wheels from local files, every case of tests/lite/cases.py compared with the classic
# results. Needs the .venv of `bash tasks.sh test`; installs Node and npm from Debian's packages if missing
# and the npm package `pyodide` into a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."
PYODIDE_VERSION=0.29.3  # Python 3.13; the npm package holds the interpreter and the standard library
PYTHON=.venv/bin/python
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
npm install --prefix "$WORK/npm" --no-audit --no-fund --silent "pyodide@$PYODIDE_VERSION"

WHEEL=$("$PYTHON" .ci/wheel.py pure "$WORK/wheels" | tail -n 1)
# the dependencies as xlwings Lite would install them: pure wheels, at the versions its requirements.txt pins
grep -v '^cryptotax-excel' addin/lite/requirements.txt > "$WORK/pins.txt"
"$PYTHON" -m pip download --quiet --disable-pip-version-check --only-binary=:all: --platform any \
    --python-version 3.13 --implementation py --constraint "$WORK/pins.txt" --dest "$WORK/wheels" "$WHEEL"

"$PYTHON" tests/lite/run.py classic "$WORK/classic.json"
node tests/lite/pyodide.mjs "$WORK/npm/node_modules/pyodide" "$WORK/wheels" "$PWD" "$WORK/classic.json"
