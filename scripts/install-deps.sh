#!/usr/bin/env bash
# Installs the Debian 12 (bookworm) packages bpfpads builds and tests with.
# libbpf and bpftool come from bookworm-backports: libbpf 1.4 has uprobe_multi and
# the modern attach APIs. Idempotent; needs root.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps.sh: run as root (sudo $0)" >&2
  exit 1
fi

backports=/etc/apt/sources.list.d/bpfpads-bookworm-backports.list
if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "deb http://deb.debian.org/debian bookworm-backports main" > "$backports"
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends -t bookworm-backports libbpf-dev libbpf1 bpftool
apt-get install -y -q --no-install-recommends \
  build-essential cmake ninja-build pkg-config clang llvm \
  libelf-dev zlib1g-dev libyaml-cpp-dev libgit2-dev nlohmann-json3-dev \
  libgtest-dev libgmock-dev libpcre2-dev libsqlite3-dev sqlite3 libcurl4-openssl-dev \
  libcli11-dev systemtap-sdt-dev git ca-certificates \
  python3 python3-venv python3-dev
# XGBoost 1.7 as Debian ships it, traced by tests/integration/test_xgboost_debian.py.
apt-get install -y -q --no-install-recommends python3-xgboost
# The parser fuzzer (fuzz/run.sh): clang 14 cannot compile libstdc++ 12's std::expected.
apt-get install -y -q --no-install-recommends clang-16 libclang-rt-16-dev
# tests/integration/test_rest_store.py: an mlflow server on a PostgreSQL backend store
# (the test runs its own throwaway cluster with initdb/pg_ctl).
apt-get install -y -q --no-install-recommends postgresql
