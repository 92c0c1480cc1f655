#!/usr/bin/env bash
# fetch-kernel.sh NAME — downloads a Debian kernel package and prepares it for QEMU:
#   .cache/kernels/NAME/{vmlinux or bzImage, initramfs.cpio.gz, release, package}
# NAME is 6.1 (bookworm), 6.12 (bookworm-backports) or 5.10 (bullseye).
#
# Every suite comes from a private apt configuration under .cache/apt/NAME, so the
# host's own apt sources are never changed (bullseye is not a host source at all).
# The newest kernel ABI is whatever the suite's linux-image-amd64 metapackage
# depends on: the same choice `apt-get install linux-image-amd64` would make.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
name=${1:?usage: fetch-kernel.sh 6.1|6.12|5.10}
cache=$here/.cache
out=$cache/kernels/$name
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
mirror=${VMTEST_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${VMTEST_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}

case $name in
  6.1) suites=("$mirror bookworm main" "$mirror bookworm-updates main" "$security bookworm-security main") ;;
  6.12) suites=("$mirror bookworm-backports main") ;;
  5.10) suites=("$mirror bullseye main" "$mirror bullseye-updates main" "$security bullseye-security main") ;;
  *) echo "fetch-kernel: unknown kernel '$name' (6.1, 6.12, 5.10)" >&2; exit 2 ;;
esac

if [[ -s $out/release && -s $out/initramfs.cpio.gz && $out/initramfs.cpio.gz -nt $here/guest/init.sh ]] &&
   { [[ -s $out/vmlinux ]] || [[ -s $out/bzImage ]]; }; then
  echo "fetch-kernel: $name cached ($(cat "$out/package"))"
  exit 0
fi

# ---- private apt configuration -------------------------------------------------------
aptdir=$cache/apt/$name
mkdir -p "$aptdir"/{lists/partial,archives/partial,parts,prefs}
: >"$aptdir/sources.list"
for s in "${suites[@]}"; do echo "deb [signed-by=$keyring] $s" >>"$aptdir/sources.list"; done
apt_opts=(
  -o "Dir::Etc::SourceList=$aptdir/sources.list"
  -o "Dir::Etc::SourceParts=$aptdir/parts"          # empty: ignore the host's sources.list.d
  -o "Dir::Etc::PreferencesParts=$aptdir/prefs"     # empty: no host pinning
  -o "Dir::State::Lists=$aptdir/lists"
  -o "Dir::Cache=$aptdir"
  -o "Dir::Cache::archives=$aptdir/archives"
  -o "Dir::State::status=/dev/null"                 # resolve as on an empty system
  -o "APT::Get::List-Cleanup=0"
  -o "Acquire::Languages=none"
  -o "APT::Sandbox::User=root"                      # the cache is root-owned; _apt cannot write it
)
# Lists older than a day are refreshed; a security update changes the kernel ABI.
if [[ -z $(find "$aptdir/lists" -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1) ]]; then
  echo "fetch-kernel: apt-get update for $name"
  apt-get "${apt_opts[@]}" -qq update
fi

pkg=$(apt-cache "${apt_opts[@]}" show --no-all-versions linux-image-amd64 |
  sed -n 's/^Depends: *//p' | tr ',' '\n' | grep -o 'linux-image-[0-9][^ ]*' | head -1)
[[ -n $pkg ]] || { echo "fetch-kernel: no linux-image-amd64 dependency found for $name" >&2; exit 1; }
echo "fetch-kernel: $name -> $pkg"

rm -rf "$out" && mkdir -p "$out/root"
(cd "$out" && apt-get "${apt_opts[@]}" -qq download "$pkg")
dpkg -x "$out"/*.deb "$out/root"
rm -f "$out"/*.deb
echo "$pkg" >"$out/package"

release=$(ls "$out/root/lib/modules" | head -1)
echo "$release" >"$out/release"
bzimage=$(ls "$out"/root/boot/vmlinuz-* | head -1)

# ---- vmlinux for PVH boot ----------------------------------------------------------------
# Booting the ELF through its PVH entry skips the decompressor, which is slow under
# TCG (about 3 s of the 6 s boot). The payload is found by its compression magic;
# a kernel without a PVH note (or an unknown compression) boots as bzImage.
extract_vmlinux() {
  local magic cmd off
  for pair in '\xfd7zXZ\x00:xz -dc --single-stream' '\x28\xb5\x2f\xfd:zstd -dcq' '\x1f\x8b\x08:gzip -dcq'; do
    magic=${pair%%:*} cmd=${pair#*:}
    for off in $(LC_ALL=C grep -obUaP "$magic" "$bzimage" | cut -d: -f1); do
      # zstd/gzip complain about the trailer after the stream: keep their output anyway.
      tail -c +$((off + 1)) "$bzimage" | $cmd >"$out/vmlinux.tmp" 2>/dev/null || true
      if [[ $(head -c 4 "$out/vmlinux.tmp" | od -An -tx1 | tr -d ' ') == 7f454c46 ]]; then
        mv "$out/vmlinux.tmp" "$out/vmlinux"
        return 0
      fi
    done
  done
  rm -f "$out/vmlinux.tmp"
  return 1
}
# PVH entry point note: XEN_ELFNOTE_PHYS32_ENTRY (type 0x12, owner "Xen").
if extract_vmlinux && readelf -n "$out/vmlinux" 2>/dev/null | grep -q 'Xen.*0x00000012'; then
  echo "fetch-kernel: vmlinux with a PVH entry extracted"
else
  rm -f "$out/vmlinux"
  cp "$bzimage" "$out/bzImage"
  echo "fetch-kernel: no PVH vmlinux; booting the bzImage"
fi

# ---- initramfs: busybox + the modules that reach the 9p root ------------------------------
bash "$here/make-initramfs.sh" "$out/root/lib/modules/$release" "$out/initramfs.cpio.gz"
rm -rf "$out/root/boot" "$out/root/usr" # keep only the modules' tree for reference
echo "fetch-kernel: $name ready: $release"
