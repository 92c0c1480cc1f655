#!/usr/bin/env bash
# Builds and runs every test: unit tests (no root) and integration tests (root, real
# BPF, read back through the real MLflow client). Root tests fail, never skip, here.
set -euo pipefail
cd "$(dirname "$0")/.."
# The venvs once (pip needs the network): the test venv, and scikit-learn per CPython.
{ [ -x .venv/bin/python ] && [ -d .venvs ]; } || bash scripts/setup-venv.sh --all-pythons
bash scripts/build.sh
export BPFPADS_REQUIRE_ROOT=1
ctest --test-dir build --output-on-failure --timeout 900 "$@"
