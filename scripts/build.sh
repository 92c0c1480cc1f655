#!/usr/bin/env bash
# Configures and builds bpfpads into build/ (Release with debug info).
set -euo pipefail
cd "$(dirname "$0")/.."
python=$PWD/.venv/bin/python
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBPFPADS_PYTHON="$python"
cmake --build build -j "$(nproc)"
