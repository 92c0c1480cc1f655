#!/usr/bin/env bash
# Fuzzes the mapping-file parser with libFuzzer for a bounded time (default 60 s).
# Needs clang-16 (clang 14 cannot compile libstdc++ 12's std::expected); fails on
# any crash, leak or timeout libFuzzer finds.   fuzz/run.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
CC=clang-16 CXX=clang++-16 cmake -S . -B build-fuzz -G Ninja -DBPFPADS_FUZZ=ON -DBPFPADS_BUILD_TESTS=OFF >/dev/null
cmake --build build-fuzz --target mapping_parser_fuzz
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
cp tests/data/mappings/*.yaml "$corpus"/
build-fuzz/fuzz/mapping_parser_fuzz "$corpus" -dict=fuzz/mapping.dict -max_total_time="$seconds" \
  -max_len=4096 -timeout=10 -print_final_stats=1 2>&1 | tail -n 20
