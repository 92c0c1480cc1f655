#!/usr/bin/env bash
# The vm-tests suite, run as root inside each guest (and directly on the host):
#   suite.sh --out DIR    feature report, then every test: "PASS name" / "FAIL name: why"
#   suite.sh --list       the test names, one per line
#   suite.sh --expect R   how many PASS lines kernel release R must print (tests - denied)
#   suite.sh --one NAME   one test (the runner wraps it in `timeout`)
#
# Fast on purpose: under TCG, importing mlflow alone takes longer than this whole
# suite. It runs the real bpfpads binary on the C test programs and reads the run back
# from SQLite with the sqlite3 CLI; the host's pytest suite proves MLflow compatibility.
#
# Environment (guest.env): BPFPADS_BUILD (the build tree), VMTEST_DENYLIST,
# VMTEST_TEST_TIMEOUT (seconds per test).
set -euo pipefail

suite=$(readlink -f "$0")
build=${BPFPADS_BUILD:-}
bpfpads=$build/cli/bpfpads
progs=$build/testprogs
features=$build/vm-tests/bpfpads-features
per_test_timeout=${VMTEST_TEST_TIMEOUT:-90}
repo=$(cd "$(dirname "$suite")/../.." && pwd)

TESTS=(
  features_required
  cpu_mem_write
  exit_code_output_tail
  killed_by_signal
  command_not_found
  waits_for_orphans
  sigterm_marks_killed
  shell_children
  pingpong_context_switches
  cpu_bound_agrees
  attach_descendants
  hooks_uprobe_usdt
  hooks_by_address
  output_tail_forced_off
)

# ---- helpers (each test runs in its own empty directory, $W) ----------------------------

die() { echo "$*" >&2; exit 1; }
# sq SQL: one value from the run store of this test.
sq() { sqlite3 -batch -noheader "$W/mlflow.db" "$1"; }
only_run() { # the single run's id, or a failure
  local n; n=$(sq "select count(*) from runs")
  [[ $n == 1 ]] || die "expected 1 run, found $n"
  sq "select run_uuid from runs"
}
tag() { sq "select value from tags where key='$1'"; }
metric() { # the last value logged for KEY
  local v; v=$(sq "select value from metrics where key='$1' order by step desc, timestamp desc limit 1")
  [[ -n $v ]] || die "metric $1 missing"
  echo "$v"
}
points() { sq "select count(*) from metrics where key='$1'"; }
# check 'awk expression' description: fails the test with the description when false.
check() { awk "BEGIN { exit !($1) }" || die "$2 ($1)"; }
eq() { [[ $1 == "$2" ]] || die "$3: got '$1', expected '$2'"; }
# bp ARGS...: bpfpads with its output kept; its exit status in $rc.
bp() {
  rc=0
  "$bpfpads" "$@" >"$W/out" 2>"$W/err" || rc=$?
}
expect_rc() { # the reason shown is bpfpads' own error line (its full stderr is in the log)
  [[ $rc == "$1" ]] && return 0
  echo "--- bpfpads stderr:" >&2 && cat "$W/err" >&2
  die "bpfpads exited $rc, expected $1: $(grep -m1 'bpfpads: error' "$W/err" || tail -c 300 "$W/err")"
}
job_json() { grep '^{' "$W/out" | tail -1; }
# json_num KEY: a number from the job's JSON line (flat, numbers only).
json_num() { job_json | sed -n "s/.*\"$1\": \\([0-9.e+-]*\\).*/\\1/p"; }

# ---- tests ----------------------------------------------------------------------------------

t_features_required() {
  "$features" --require >"$W/features" 2>&1 || die "$(grep -i 'requirements' "$W/features")"
}

t_cpu_mem_write() {
  bp run --interval 0.5 -- "$progs/workload" --cpu 1 --mem 64 --write 16 --dir "$W"
  expect_rc 0
  only_run >/dev/null
  eq "$(sq 'select status from runs')" FINISHED "run status"
  eq "$(tag bpfpads.exit_code)" 0 "exit code tag"
  eq "$(tag bpfpads.system.kernel)" "$(uname -r)" "kernel tag"
  local job_cpu cpu peak wchar faults
  job_cpu=$(json_num cpu_seconds)
  cpu=$(metric bpfpads/cpu_seconds)
  # Slack for TCG: the exec and the job's own getrusage call are outside its count.
  check "$cpu >= $job_cpu * 0.95 - 0.05 && $cpu <= $job_cpu * 1.1 + 0.3" "cpu_seconds $cpu vs job $job_cpu"
  peak=$(metric bpfpads/peak_memory_mb)
  check "$peak >= 64 * 1.048576 * 0.95" "peak_memory_mb $peak"
  # /tmp is tmpfs in the guest: no block writes, so check the write(2) bytes.
  wchar=$(metric bpfpads/io_write_chars_mb)
  check "$wchar >= 16 * 1.048576" "io_write_chars_mb $wchar"
  faults=$(metric bpfpads/page_faults)
  # One fault per page touched: 4 KiB pages, or 2 MiB ones where THP is "always".
  local page_kb=4
  grep -q '\[always\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null && page_kb=2048
  check "$faults >= 64 * 1024 / $page_kb" "page_faults $faults (pages of $page_kb KiB)"
  check "$(metric bpfpads/context_switches) > 0" "context_switches"
  check "$(points system/process_memory_rss_megabytes) >= 2" "rss samples"
  check "$(metric bpfpads/dropped/ring_buffer_full) == 0" "ring buffer drops"
  check "$(metric bpfpads/dropped/process_table_full) == 0" "process table drops"
  check "$(metric bpfpads/processes_forked) >= 1" "processes_forked"
}

t_exit_code_output_tail() {
  # The output tail comes from the syscalls/sys_enter_write tracepoint.
  bp run -- "$progs/workload" --exit 3 --stderr "something broke at step 7"
  expect_rc 3
  grep -q "something broke at step 7" "$W/err" || die "job stderr did not pass through"
  only_run >/dev/null
  eq "$(sq 'select status from runs')" FAILED "run status"
  eq "$(tag bpfpads.exit_code)" 3 "exit code tag"
  local tail_file
  tail_file=$(find "$W" -name stderr_tail.txt | head -1)
  [[ -n $tail_file ]] || die "no stderr_tail.txt artifact"
  grep -q "something broke at step 7" "$tail_file" || die "stderr_tail.txt lacks the job's text"
}

t_killed_by_signal() {
  bp run -- "$progs/workload" --signal 9
  expect_rc 137
  only_run >/dev/null
  eq "$(sq 'select status from runs')" FAILED "run status"
  eq "$(tag bpfpads.signal)" 9 "signal tag"
  eq "$(tag bpfpads.signal_name)" SIGKILL "signal name tag"
}

t_command_not_found() {
  bp run -- no-such-command-xyz arg
  expect_rc 127
  grep -q "no-such-command-xyz: command not found" "$W/err" || die "no 'command not found' message"
  only_run >/dev/null
  eq "$(sq 'select status from runs')" FAILED "run status"
  eq "$(tag bpfpads.exit_code)" 127 "exit code tag"
}

t_waits_for_orphans() {
  local start end
  start=$(date +%s%N)
  bp run -- "$progs/workload" --orphan 1.5
  end=$(date +%s%N)
  expect_rc 0
  check "($end - $start) / 1e9 >= 1.4" "returned before the orphaned grandchild ended"
  only_run >/dev/null
  eq "$(sq 'select status from runs')" FINISHED "run status"
  check "$(sq 'select end_time - start_time from runs') >= 1400" "run shorter than the orphan"
}

t_sigterm_marks_killed() {
  "$bpfpads" run -- "$progs/workload" --sleep 60 >"$W/out" 2>"$W/err" &
  local pid=$! deadline=$((SECONDS + 30))
  # Wait for the job itself, not a fixed time: bpfpads starts slowly under TCG.
  # -x matches the program name: bpfpads and its guard carry the same words in their
  # command lines, and a SIGTERM during start-up is a different test.
  until pgrep -x workload >/dev/null; do
    kill -0 "$pid" 2>/dev/null || break # bpfpads already gave up: its status says why
    ((SECONDS < deadline)) || die "the job did not start within 30 s"
    sleep 0.2
  done
  sleep 0.5
  kill -TERM "$pid" 2>/dev/null || true
  rc=0; wait "$pid" || rc=$?
  expect_rc 143
  only_run >/dev/null
  eq "$(sq 'select status from runs')" KILLED "run status"
  eq "$(tag bpfpads.signal_name)" SIGTERM "signal name tag"
}

t_shell_children() {
  # fork + exec through a shell, two CPU burners side by side, each forking again.
  bp run -- /bin/sh -c "'$progs/workload' --cpu 0.4 & '$progs/workload' --cpu 0.4 & wait"
  expect_rc 0
  only_run >/dev/null
  local cpu
  cpu=$(metric bpfpads/cpu_seconds)
  check "$cpu >= 0.8 * 0.95" "cpu_seconds $cpu of two 0.4 s burners"
  check "$(metric bpfpads/processes_forked) >= 4" "processes_forked"
  check "$(metric bpfpads/execs) >= 2" "execs"
}

t_pingpong_context_switches() {
  bp run -- "$progs/pingpong" 3000
  expect_rc 0
  only_run >/dev/null
  check "$(metric bpfpads/processes_forked) >= 1" "processes_forked"
  check "$(metric bpfpads/context_switches) >= 3000" "context_switches $(metric bpfpads/context_switches)"
}

t_cpu_bound_agrees() {
  # The reference is the kernel's own account of the child (bash's `times`), not the
  # wall clock: on a shared 2-core machine the job may get half a core.
  bp run -- /bin/bash -c "'$progs/cpu_bound' 40 && times"
  expect_rc 0
  only_run >/dev/null
  local kernel cpu
  # `times` prints two lines, the shell's and its children's "user system" as XmY.YYYs:
  # bpfpads tracks both, so the reference is their sum.
  kernel=$(tail -2 "$W/out" | awk '{ for (i = 1; i <= 2; i++) { split($i, p, /[ms]/); n += p[1] * 60 + p[2] } } END { print n + 0 }')
  cpu=$(metric bpfpads/cpu_seconds)
  check "$kernel > 0 && $cpu >= $kernel * 0.95 - 0.03 && $cpu <= $kernel * 1.1 + 0.3" "cpu_seconds $cpu vs the kernel's $kernel"
}

t_attach_descendants() {
  # The job sleeps first, then forks a CPU burner: that child must be tracked too.
  "$progs/workload" --sleep 4 --cpu 0.5 >"$W/job.out" &
  local job=$!
  bp attach --pid "$job" --interval 0.3
  wait "$job" || true
  expect_rc 0
  only_run >/dev/null
  eq "$(sq 'select status from runs')" FINISHED "run status"
  eq "$(tag bpfpads.mode)" attach "mode tag"
  check "$(metric bpfpads/cpu_seconds) >= 0.45" "cpu_seconds"
  check "$(metric bpfpads/processes_forked) >= 1" "processes_forked"
}

# series KEY: a metric's "step:value" pairs in step order, one line.
series() { sq "select step || ':' || value from metrics where key='$1' order by step, timestamp" | tr '\n' ' '; }
# degraded TEXT: a passing test's last line; the runner adds it to the PASS line.
degraded() { echo "degraded: $*"; }
# feature KEY: what bpfpads-features probed for KEY (yes, no, blocked, unknown).
feature() {
  "$features" --json | /usr/bin/python3 -c \
    'import json, sys; print(next(f["support"] for f in json.load(sys.stdin)["features"] if f["key"] == sys.argv[1]))' "$1"
}

# hooked_run [FALLBACK]: tests/testprogs/hooked under its mapping file, every logged
# value checked. Hooks may be off only where probing finds no task storage, and the run
# must say so.
hooked_run() {
  BPFPADS_FORCE_FALLBACK=${1:-} bp run --mapping "$repo/tests/data/mappings/hooked_test.yaml" -- \
    "$progs/hooked" "$build/tests/testlibs/libbpfpads_testlib.so"
  expect_rc 0
  grep -qx 'add=42' "$W/out" || die "the job did not call its dlopen'd library"
  only_run >/dev/null
  eq "$(sq 'select status from runs')" FINISHED "run status"
  local lost multi
  lost=$(tag bpfpads.degraded)
  # Without uprobe_multi (before 6.6) every hook is a classic uprobe: a documented
  # degradation that changes no value, checked like the rest.
  multi=$(grep '^no uprobe_multi' <<<"$lost" || true)
  lost=$(grep -v '^no uprobe_multi' <<<"$lost" || true)
  if [[ -n $multi ]]; then
    eq "$(feature uprobe_multi)" no "uprobe_multi probe, with classic uprobes ($multi)"
  fi
  if [[ $lost == "mapping hooks are off"* ]]; then
    eq "$(feature task_storage)" no "task_storage probe, with hooks off ($lost)"
    eq "$(sq 'select count(*) from params')" 0 "params with hooks off"
    degraded "hooks off: no task storage"
    return 0
  fi
  if [[ -n ${1:-} ]]; then
    [[ $lost == "no bpf_get_attach_cookie (forced by BPFPADS_FORCE_FALLBACK)"* ]] || die "degraded tag: '$lost'"
  elif [[ $(feature attach_cookie) != yes ]]; then
    [[ $lost == "no bpf_get_attach_cookie:"* ]] || die "no attach cookie, yet the degraded tag is '$lost'"
  else
    eq "$lost" "" "degraded tag"
  fi
  eq "$(sq "select group_concat(key || '=' || value, ' ') from (select * from params order by key)")" \
    "eta=0.3 max_depth=6 nthread=2" "params (set_param, from two threads)"
  eq "$(series train-rmse)" "0:1.0 1:0.5 2:0.3333 3:0.25 4:0.2 " "train-rmse (eval_step's out-parameter)"
  eq "$(series usdt_remaining)" "0:100.0 1:99.0 2:98.0 3:97.0 4:96.0 " "usdt_remaining (USDT)"
  eq "$(series testlib_add)" "4:42.0 " "testlib_add (dlopen'd library, return value)"
  local f want
  for want in set_param=3 train_step=5 eval_step=5 fib=89 save_model=1 bpfpads_testlib_add=1; do
    f=${want%=*}
    check "$(metric "bpfpads/hook_hits/$f") == ${want#*=}" "hook hits of $f"
  done
  check "$(metric bpfpads/dropped/unpaired_return) == 0" "unpaired returns"
  check "$(metric bpfpads/dropped/unpaired_entry) == 0" "unpaired entries"
  local said=${lost%%:*}
  [[ -z $multi ]] || said="${said:+$said; }${multi%% (*}"
  [[ -z $said ]] || degraded "$said"
}

t_hooks_uprobe_usdt() { hooked_run; }

t_hooks_by_address() { hooked_run attach_cookie; }

t_output_tail_forced_off() {
  # Output into a pipe: the tail's tracepoint path (output into files is read back
  # from the files instead, without the tracepoint).
  { BPFPADS_FORCE_FALLBACK=tp_sys_enter_write "$bpfpads" run -- "$progs/workload" --exit 3 \
      --stderr "something broke at step 7" 2>&1 && echo "bpfpads-exit=0" || echo "bpfpads-exit=$?"; } |
    cat >"$W/err"
  rc=$(sed -n 's/^bpfpads-exit=//p' "$W/err")
  expect_rc 3
  grep -q "something broke at step 7" "$W/err" || die "job stderr did not pass through"
  only_run >/dev/null
  eq "$(sq 'select status from runs')" FAILED "run status"
  # One line of the tag: a kernel without task storage adds that the shipped mappings' hooks are off.
  tag bpfpads.degraded | grep -qxF "no output tail on failure: syscalls/sys_enter_write is not available (forced by BPFPADS_FORCE_FALLBACK)" ||
    die "degraded tag: '$(tag bpfpads.degraded)'"
  [[ -z $(find "$W" -name '*_tail.txt') ]] || die "an output tail was logged without its tracepoint"
}

# ---- runner ---------------------------------------------------------------------------------

# denied NAME [RELEASE]: prints the reason when DENYLIST has a matching "kernel-glob test reason" line.
denied() {
  local file=${VMTEST_DENYLIST:-} release pattern test reason
  [[ -n $file && -r $file ]] || return 1
  release=${2:-$(uname -r)}
  while read -r pattern test reason; do
    [[ -z $pattern || $pattern == \#* ]] && continue
    # shellcheck disable=SC2053 # the pattern is a glob on purpose
    if [[ $release == $pattern && $test == "$1" ]]; then
      echo "${reason:-no reason given}"
      return 0
    fi
  done <"$file"
  return 1
}

case ${1:-} in
  --list) printf '%s\n' "${TESTS[@]}"; exit 0 ;;
  --expect) # --expect RELEASE: how many PASS lines a kernel with that release must print
    n=0
    for t in "${TESTS[@]}"; do denied "$t" "${2:?release}" >/dev/null || n=$((n + 1)); done
    echo "$n"; exit 0 ;;
  --one)
    W=$(mktemp -d /tmp/vmtest-"$2".XXXX)
    cd "$W"
    "t_$2"
    exit 0 ;;
  --out) out=${2:?--out DIR} ;;
  *) echo "usage: suite.sh --out DIR | --list | --one NAME" >&2; exit 2 ;;
esac

[[ -n $build ]] || { echo "BPFPADS_BUILD is not set" >&2; exit 2; }
mkdir -p "$out/logs"
echo "=== feature report: $(uname -r)"
"$features" | tee "$out/features.txt" || echo "bpfpads-features failed: $?"
"$features" --json >"$out/features.json" 2>/dev/null || true
echo "=== tests"
: >"$out/results.txt"
for t in "${TESTS[@]}"; do
  if reason=$(denied "$t"); then
    line="SKIP $t: denylisted: $reason"
  else
    t0=$(date +%s%N)
    # The full output goes to logs/NAME.log; the FAIL line keeps its start.
    if msg=$(timeout -k 5 "$per_test_timeout" bash "$suite" --one "$t" 2>&1 | tee "$out/logs/$t.log"; exit "${PIPESTATUS[0]}"); then
      line="PASS $t"
      # A pass on a documented degradation says which.
      [[ $(echo "$msg" | tail -1) == "degraded: "* ]] && line="$line: $(echo "$msg" | tail -1)"
    else
      rc=$?
      [[ $rc == 124 || $rc == 137 ]] && msg="timed out after ${per_test_timeout}s (per-test timeout)"
      # A test's last line is its reason; everything before it is in logs/NAME.log.
      line="FAIL $t: $(echo "$msg" | tail -1 | cut -c1-400)"
    fi
    line="$line ($(( ($(date +%s%N) - t0) / 1000000 )) ms)"
  fi
  echo "$line" | tee -a "$out/results.txt"
done
pass=$(grep -c '^PASS ' "$out/results.txt" || true)
fail=$(grep -c '^FAIL ' "$out/results.txt" || true)
echo "=== $pass PASS, $fail FAIL"
