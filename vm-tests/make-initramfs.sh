#!/usr/bin/env bash
# make-initramfs.sh MODULES_DIR OUT.cpio.gz — a busybox initramfs whose /init loads
# the virtio and 9p modules, mounts the host's / (read-only) over 9p and runs the
# guest suite there (guest/init.sh is the /init).
#
# There is no kmod/depmod on the host and Debian ships no modules.dep in the
# package, so the load order comes from each module's own .modinfo "depends=".
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
moddir=${1:?modules dir}
out=${2:?output cpio.gz}
# What reaches a 9p root over virtio-pci; whichever of these is built in is skipped.
roots=(virtio_pci 9pnet_virtio 9p)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,dev,proc,sys,host,lib/modules}
cp /bin/busybox "$stage/bin/busybox"
file "$stage/bin/busybox" 2>/dev/null | grep -q 'statically linked' ||
  ldd "$stage/bin/busybox" 2>&1 | grep -q 'not a dynamic' ||
  { echo "make-initramfs: /bin/busybox is not static (install busybox-static)" >&2; exit 1; }
cp "$here/guest/init.sh" "$stage/init"
chmod +x "$stage/init"

# name -> file; module names use '_' where file names may use '-'.
declare -A file_of=()
while IFS= read -r f; do
  n=${f##*/}; n=${n%%.ko*}; file_of[${n//-/_}]=$f
done < <(find "$moddir/kernel" -name '*.ko*')

# Uncompressed copy in the stage (busybox insmod cannot read .ko.xz/.ko.zst).
unpack() {
  local src=$1 dst=$2
  case $src in
    *.ko.xz) xz -dc "$src" >"$dst" ;;
    *.ko.zst) zstd -dcq "$src" >"$dst" ;;
    *.ko.gz) gzip -dc "$src" >"$dst" ;;
    *) cp "$src" "$dst" ;;
  esac
}

declare -A done_=()
order=()
visit() { # depth-first: dependencies before the module itself
  local n=${1//-/_}
  [[ -n ${done_[$n]:-} ]] && return 0
  done_[$n]=1
  local f=${file_of[$n]:-}
  [[ -n $f ]] || return 0 # built in (or absent: the guest init reports a failed mount)
  local ko=$stage/lib/modules/$n.ko deps
  unpack "$f" "$ko"
  deps=$(objcopy -O binary --only-section=.modinfo "$ko" /dev/stdout | tr '\0' '\n' |
    sed -n 's/^depends=//p' | tr ',' ' ')
  for d in $deps; do visit "$d"; done
  order+=("$n")
}
for r in "${roots[@]}"; do visit "$r"; done
printf '%s\n' "${order[@]}" >"$stage/modules.order"
echo "make-initramfs: modules: ${order[*]:-(all built in)}"

(cd "$stage" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) >"$out"
