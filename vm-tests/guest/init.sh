#!/bin/busybox sh
# /init of the vm-tests initramfs (busybox only; no set -e: a failing step must be
# reported on the console, then the VM powers off instead of panicking).
#
# Kernel command line: vmtest_out=DIR — the host directory shared read-write as
# 9p tag "out"; it holds guest.env (what to run) and receives the results.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "vmtest-init: start $(uname -r)"

fail() { echo "vmtest-init: FAIL step $1"; poweroff -f; }

for m in $(cat /modules.order); do
  insmod "/lib/modules/$m.ko" || echo "vmtest-init: insmod $m failed"
done

out=$(sed -n 's/.*vmtest_out=\([^ ]*\).*/\1/p' /proc/cmdline)
[ -n "$out" ] || fail "cmdline (no vmtest_out=)"

# msize: the 8 KiB default of older kernels makes every exec crawl over 9p.
# cache=loose on the read-only root: the host tree does not change under a run.
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose hostroot /host ||
  fail "mount 9p root"
repo=$(sed -n 's/.*vmtest_repo=\([^ ]*\).*/\1/p' /proc/cmdline)
build=$(sed -n 's/.*vmtest_build=\([^ ]*\).*/\1/p' /proc/cmdline)

# What a booted system would have mounted; BPF needs tracefs and bpffs.
mount -t proc proc /host/proc
mount -t sysfs sys /host/sys
mount -t devtmpfs dev /host/dev
mkdir -p /host/dev/pts /host/dev/shm
mount -t devpts devpts /host/dev/pts
mount -t tmpfs tmpfs /host/dev/shm
mount -t tmpfs tmpfs /host/tmp
mount -t tmpfs tmpfs /host/run
# The repository, its build and the results folder come as shares of their own,
# mounted after the tmpfs above: a checkout under /tmp (as CI's may be) stays visible.
for share in repo:$repo build:$build out:$out; do
  tag=${share%%:*} dir=${share#*:}
  [ -n "$dir" ] || continue
  mkdir -p "/host$dir" 2>/dev/null
  opts=trans=virtio,version=9p2000.L,msize=262144
  [ "$tag" = out ] || opts=$opts,ro
  mount -t 9p -o "$opts" "$tag" "/host$dir" || fail "mount 9p $tag at $dir"
done
mount -t tracefs tracefs /host/sys/kernel/tracing 2>/dev/null ||
  mount -t debugfs debugfs /host/sys/kernel/debug
mount -t bpf bpf /host/sys/fs/bpf
mount -t securityfs securityfs /host/sys/kernel/security 2>/dev/null
mount -t cgroup2 cgroup2 /host/sys/fs/cgroup 2>/dev/null

echo "vmtest-init: running suite"
chroot /host /bin/bash -c ". '$out/guest.env' && exec /bin/bash \"\$VMTEST_SUITE\" --out '$out'"
echo "vmtest-init: done rc=$?"
sync
poweroff -f
