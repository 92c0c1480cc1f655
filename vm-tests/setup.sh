#!/usr/bin/env bash
# Installs what the vm-tests harness needs on a Debian 12 host, as root.
# --no-install-recommends: qemu-system-x86 otherwise pulls in a GUI stack that a
# headless CI runner never uses.
set -euo pipefail

pkgs=(
  qemu-system-x86   # the VM (TCG works everywhere; KVM where the host has VMX/SVM)
  busybox-static    # the guest's /init: a static shell and insmod, no host libs needed
  zstd xz-utils     # kernel images (6.12: zstd vmlinux, 6.1: xz) and .ko.{xz,zst} modules
  binutils          # objcopy: reads a module's .modinfo "depends=" (no kmod on the host)
  sqlite3           # the guest suite reads the run store with the CLI
  python3           # /usr/bin/python3, shared into the guest over 9p
  dpkg apt
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "vm-tests setup: ok (${#missing[@]} package(s) installed)"
