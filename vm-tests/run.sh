#!/usr/bin/env bash
# vm-tests/run.sh [--quick] [--report FILE] [--build DIR] [KERNEL...]
#
# Runs the guest suite (guest/suite.sh) under each KERNEL and passes only when every
# kernel printed exactly its expected number of PASS lines (tests minus DENYLIST).
#   KERNEL   host | 6.1 | 6.12 | 5.10        (default: all of them)
#   --quick  only the fastest non-host kernel that still tests the BPF paths
#   --report FILE   write the kernel x feature x result table (markdown) to FILE
#   --build DIR     the build tree to test (default: $BPFPADS_BUILD_DIR or ./build)
#
# Never hangs: the boot has a watchdog, each guest test a `timeout`, and the whole VM
# a wall-clock limit; whichever fires names its step and fails the kernel.
#   VMTEST_ACCEL=auto|kvm|tcg   VMTEST_BOOT_TIMEOUT (s, to the guest's /init)
#   VMTEST_VM_TIMEOUT (s, whole VM)   VMTEST_TEST_TIMEOUT (s, per guest test)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
cache=$here/.cache
all_kernels=(host 6.12 6.1 5.10)
# 6.1 boots fastest under TCG (PVH, ~3.5 s) and is the LTS most users run.
quick_kernel=6.1

build=${BPFPADS_BUILD_DIR:-$repo/build}
report=
kernels=()
while (($#)); do
  case $1 in
    --quick) kernels+=("$quick_kernel") ;;
    --report) report=${2:?--report FILE}; shift ;;
    --build) build=${2:?--build DIR}; shift ;;
    -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
    host | 6.1 | 6.12 | 5.10) kernels+=("$1") ;;
    *) echo "run.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
((${#kernels[@]})) || kernels=("${all_kernels[@]}")
build=$(cd "$build" && pwd)
[[ $report == /* || -z $report ]] || report=$PWD/$report

boot_timeout=${VMTEST_BOOT_TIMEOUT:-60}
vm_timeout=${VMTEST_VM_TIMEOUT:-600}
test_timeout=${VMTEST_TEST_TIMEOUT:-90}

for f in cli/bpfpads vm-tests/bpfpads-features testprogs/workload testprogs/pingpong testprogs/cpu_bound; do
  [[ -x $build/$f ]] || { echo "run.sh: $build/$f is missing: build the project first" >&2; exit 2; }
done
[[ $(id -u) == 0 ]] || { echo "run.sh: needs root (BPF in the host run; 9p as root in QEMU)" >&2; exit 2; }

# Every denylist entry needs a reason: an exclusion nobody can explain never leaves.
if awk '!/^[[:space:]]*(#|$)/ && NF < 3 { print FILENAME ":" FNR ": " $0; bad = 1 } END { exit !bad }' \
  "$here/DENYLIST"; then
  echo "run.sh: DENYLIST entries above have no reason (KERNEL-GLOB TEST REASON...)" >&2
  exit 2
fi

# KVM only where it can boot a stock kernel: a nested kvm_pvm (/sys/module/kvm_pvm)
# exposes /dev/kvm but runs PVM-built guests only. The boot watchdog catches the rest.
kvm_usable() {
  case ${VMTEST_ACCEL:-auto} in
    tcg) return 1 ;;
    kvm) [[ -w /dev/kvm ]] ;; # forced: the boot watchdog still falls back to TCG
    *) [[ -w /dev/kvm && ! -d /sys/module/kvm_pvm ]] && grep -qE 'vmx|svm' /proc/cpuinfo ;;
  esac
}

# Writes guest.env into the results dir: what the guest's init runs, with what.
write_guest_env() {
  cat >"$1/guest.env" <<EOF
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8
export VMTEST_SUITE='$here/guest/suite.sh'
export BPFPADS_BUILD='$build'
export VMTEST_DENYLIST='$here/DENYLIST'
export VMTEST_TEST_TIMEOUT='$test_timeout'
EOF
}

# boot KERNEL ACCEL OUT: one VM; returns 0 when the guest finished its suite, else
# prints the step that failed. The console goes to OUT/console.log and the terminal.
boot() {
  local k=$1 accel=$2 out=$3 dir=$cache/kernels/$1 image cpu timeout_boot
  image=$dir/vmlinux
  [[ -s $image ]] || image=$dir/bzImage
  if [[ $accel == kvm ]]; then cpu=host timeout_boot=${VMTEST_BOOT_TIMEOUT:-20}; else cpu=max timeout_boot=$boot_timeout; fi
  local log=$out/console.log
  : >"$log"
  # i8042.*: no PS/2 probing (seconds under TCG); mitigations=off: faster TCG.
  timeout -k 5 "$vm_timeout" qemu-system-x86_64 -accel "$accel" -cpu "$cpu" -machine q35 \
    -smp "${VMTEST_SMP:-2}" -m "${VMTEST_MEM:-2G}" \
    -nodefaults -no-user-config -display none -serial stdio -monitor none -no-reboot \
    -kernel "$image" -initrd "$dir/initramfs.cpio.gz" \
    -append "console=ttyS0 quiet panic=-1 mitigations=off i8042.noaux i8042.nokbd i8042.nopnp vmtest_out=$out vmtest_repo=$repo vmtest_build=$build" \
    -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
    -virtfs "local,path=$repo,mount_tag=repo,security_model=none,readonly=on,multidevs=remap" \
    -virtfs "local,path=$build,mount_tag=build,security_model=none,readonly=on,multidevs=remap" \
    -virtfs "local,path=$out,mount_tag=out,security_model=none,multidevs=remap" \
    </dev/null >"$log" 2>&1 &
  local qemu=$!
  # To stderr: stdout of this function is the failed step's description.
  tail -n +1 -f --pid="$qemu" "$log" | sed -u "s/^/[$k] /" >&2 &
  local printer=$! start=$SECONDS booted=0
  while kill -0 "$qemu" 2>/dev/null; do
    if ((!booted)) && grep -q 'vmtest-init: start' "$log"; then booted=1; fi
    if ((!booted && SECONDS - start > timeout_boot)); then
      kill "$qemu" 2>/dev/null || true
      wait "$qemu" 2>/dev/null || true
      wait "$printer" 2>/dev/null || true
      echo "step=boot: no /init within ${timeout_boot}s ($accel)"
      return 1
    fi
    sleep 0.5
  done
  local rc=0
  wait "$qemu" || rc=$?
  wait "$printer" 2>/dev/null || true
  if ((rc == 124 || rc == 137)); then
    if grep -q 'vmtest-init: running suite' "$log"; then
      echo "step=suite: VM still running after ${vm_timeout}s (whole-VM timeout)"
    else
      echo "step=init: VM still running after ${vm_timeout}s (whole-VM timeout)"
    fi
    return 1
  fi
  if ! grep -q 'vmtest-init: start' "$log"; then echo "step=boot: qemu exited $rc before /init"; return 1; fi
  local init_fail
  init_fail=$(grep -o 'vmtest-init: FAIL step.*' "$log" | head -1 || true)
  if [[ -n $init_fail ]]; then echo "step=init: ${init_fail#vmtest-init: FAIL step }"; return 1; fi
  if ! grep -q 'vmtest-init: done' "$log"; then
    echo "step=suite: guest stopped before the suite ended (kernel panic or oops? see $log)"
    return 1
  fi
  return 0
}

declare -A verdict=() wall=()
overall=0
for k in "${kernels[@]}"; do
  t0=$SECONDS
  out=$cache/results/$k
  rm -rf "$out" && mkdir -p "$out"
  echo "=== $k"
  if [[ $k == host ]]; then
    release=$(uname -r)
    echo "$release" >"$out/release"
    write_guest_env "$out"
    # shellcheck disable=SC1091
    if ! (. "$out/guest.env" && timeout -k 5 "$vm_timeout" bash "$VMTEST_SUITE" --out "$out"); then
      echo "step=suite: host suite failed or timed out" >"$out/step"
    fi
  else
    if ! timeout -k 5 900 bash "$here/fetch-kernel.sh" "$k"; then
      echo "step=fetch: could not download or prepare the kernel" >"$out/step"
    else
      release=$(cat "$cache/kernels/$k/release")
      echo "$release" >"$out/release"
      write_guest_env "$out"
      accel=tcg
      kvm_usable && accel=kvm
      if ! step=$(boot "$k" "$accel" "$out"); then
        if [[ $accel == kvm && $step == step=boot* ]]; then
          echo "[$k] $step; falling back to TCG"
          accel=tcg
          step=$(boot "$k" tcg "$out") || echo "$step" >"$out/step"
        else
          echo "$step" >"$out/step"
        fi
      fi
      echo "$accel" >"$out/accel"
    fi
  fi
  wall[$k]=$((SECONDS - t0))
  expected=$(bash "$here/guest/suite.sh" --expect "$(cat "$out/release" 2>/dev/null || echo unknown)")
  pass=$(grep -c '^PASS ' "$out/results.txt" 2>/dev/null || true)
  fail=$(grep -c '^FAIL ' "$out/results.txt" 2>/dev/null || true)
  if [[ -s $out/step ]]; then
    verdict[$k]="FAIL ($(cat "$out/step"); $pass/$expected PASS)"
  elif [[ $pass == "$expected" && $fail == 0 ]]; then
    verdict[$k]="ok ($pass/$expected PASS)"
  else
    verdict[$k]="FAIL ($pass PASS, $fail FAIL, expected $expected PASS)"
  fi
  [[ ${verdict[$k]} == ok* ]] || overall=1
  echo "${verdict[$k]}" >"$out/verdict"
  echo "=== $k: ${verdict[$k]} in ${wall[$k]}s"
done

echo "=== summary"
for k in "${kernels[@]}"; do
  printf '%-6s %-16s %4ss  %s\n' "$k" "$(cat "$cache/results/$k/release" 2>/dev/null || echo '?')" \
    "${wall[$k]}" "${verdict[$k]}"
done
if [[ -n $report ]]; then
  /usr/bin/python3 "$here/report.py" "$cache/results" "${kernels[@]}" >"$report"
  echo "report written to $report"
fi
exit "$overall"
