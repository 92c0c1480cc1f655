#!/usr/bin/env bash
# A virtual environment for the tests and examples: the real MLflow client (to read
# back what bpfpads writes) and pytest. Python packages are never needed by
# bpfpads itself.
set -euo pipefail
cd "$(dirname "$0")/.."
python=/usr/bin/python3
[ -x "$python" ] || python=python3
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -r tests/requirements.txt
