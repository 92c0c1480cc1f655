#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a first run: installs the packages,
# builds and installs bpfpads, then tracks an example training job into
# ./mlflow.db (open it with: .venv/bin/mlflow ui).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/setup-venv.sh
bash scripts/build.sh
cmake --install build --prefix /usr/local
bpfpads run --run-name quickstart -- .venv/bin/python examples/train.py
