#!/usr/bin/env bash
# The release build: the wheel with the engine compiled by mypyc (CRYPTOTAX_COMPILE=1), checked by
# .ci/wheel.py, installed into a fresh environment, and the engine's tests run against it. mypyc compiles
# the same sources but enforces their type annotations at run time and binds Final constants and calls
# early, so a change can pass as plain Python and fail compiled (the pools shared between engine copies,
# the checkpoints and paused runs of planning are tested here too); the tests that patch module internals
# skip themselves there (tests/conftest.py). Needs the .venv of `bash tasks.sh test`.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

WHEEL=$(.venv/bin/python .ci/wheel.py compiled "$WORK/dist" | tail -n 1)
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/python" -m pip install --quiet --disable-pip-version-check "$WHEEL[cli]" pytest hypothesis
# run from the checkout, which is not on the path (tests/ is): cryptotax_core comes from the wheel
CRYPTOTAX_EXPECT_COMPILED=1 "$WORK/venv/bin/pytest" -p no:cacheprovider \
    tests/test_build.py tests/test_methods.py tests/test_engine_properties.py tests/test_fast_path.py \
    tests/test_determinism.py tests/test_transfers_pools.py tests/test_wash_sales.py tests/test_holding.py \
    tests/test_rows.py tests/test_validation.py tests/test_tax_years.py tests/test_seeds.py tests/test_pools.py \
    tests/planning/test_checkpoint.py tests/planning/test_identify_properties.py tests/planning/test_paste.py
