"""Mapping files at work: uprobes, uretprobes and USDT on tests/testprogs/hooked.c
and a library it opens with dlopen; exact values read back through MLflow."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import SOURCE_DIR, final, history, mlflow_client, only_run

MAPPING = SOURCE_DIR / "tests" / "data" / "mappings" / "hooked_test.yaml"


def testlib(testprogs):
    return Path(testprogs).parent / "tests" / "testlibs" / "libbpfpads_testlib.so"


# Every test on the hooked run runs twice: uprobe_multi links (this kernel has them)
# and classic uprobes (the fallback, forced). The values must not differ.
ATTACH_MODES = {"uprobe_multi": {}, "uprobe": {"BPFPADS_FORCE_FALLBACK": "uprobe_multi"}}
EXPECTED_ATTACH = {
    # The 6 probes whose first instruction the kernel single-steps are classic links (the
    # hot-hook guard can take those out for real); the rest share uprobe_multi links.
    "uprobe_multi": "uprobe_multi: uprobe_multi links: 2 with 8 probes; classic links (uprobe, uretprobe, USDT): 7",
    "uprobe": "uprobe: uprobe_multi links: 0 with 0 probes; classic links (uprobe, uretprobe, USDT): 15",
}


@pytest.fixture(params=sorted(ATTACH_MODES))
def hooked_run(request, require_root, run_bpfpads, testprogs, workdir):
    # Without the shipped mappings: they would also probe libraries installed on the
    # machine (Debian's libxgboost), and the attach counts below would depend on that.
    res = run_bpfpads(["run", "--no-default-mappings", "--mapping", str(MAPPING), "--", str(testprogs / "hooked"),
                       str(testlib(testprogs))], env=ATTACH_MODES[request.param], check_returncode=0)
    assert "add=42" in res.stdout
    client = mlflow_client(f"sqlite:///{workdir}/mlflow.db")
    run = only_run(client)
    assert run.data.tags["bpfpads.hook_attach_mode"] == request.param
    return client, run, res


def test_string_arguments_become_params(hooked_run):
    _, run, _ = hooked_run
    # Including a call from a second thread, and a literal never touched before the call.
    assert run.data.params == {"max_depth": "6", "eta": "0.3", "nthread": "2"}


def test_out_parameter_string_unpacked_into_metrics_with_steps(hooked_run):
    client, run, _ = hooked_run
    assert history(client, run, "train-rmse") == [(0, 1.0), (1, 0.5), (2, 0.3333), (3, 0.25), (4, 0.2)]
    assert history(client, run, "eval-rmse") == [(0, 2.0), (1, 1.0), (2, 0.6667), (3, 0.5), (4, 0.4)]


def test_usdt_probe_arguments(hooked_run):
    client, run, _ = hooked_run
    assert history(client, run, "usdt_remaining") == [(i, 100.0 - i) for i in range(5)]


def test_library_opened_with_dlopen_is_hooked_before_its_first_call(hooked_run):
    client, run, _ = hooked_run
    # No step of its own: the run's current step, set by train_step's `extract: step`.
    assert history(client, run, "testlib_add") == [(4, 42.0)]
    # Start-up and the test library's dlopen: the only new objects a target selects.
    assert final(client, run, "bpfpads/library_load_stops") == 2


def test_what_tracking_cost_the_job_is_in_the_run(hooked_run):
    client, run, _ = hooked_run
    # Held before its first instruction, and at its two library-load stops.
    assert 0 < final(client, run, "bpfpads/startup_ms") < 60000
    assert 0 < final(client, run, "bpfpads/library_load_held_ms") < 60000
    # Every hooked call is one ring record (none dropped here), read with the process
    # tree's records; the CPU for reading and handling them is part of bpfpads' own.
    metrics = run.data.metrics
    hook_records = sum(v for k, v in metrics.items() if k.startswith("bpfpads/hook_hits/"))
    assert metrics["bpfpads/records_read"] > hook_records > 0
    assert 0 < metrics["bpfpads/collector_record_cpu_seconds"] <= metrics["bpfpads/collector_cpu_seconds"]


def bpf_links_on(path):
    shown = json.loads(subprocess.run(["bpftool", "-j", "link", "show"], check=True, capture_output=True,
                                      text=True).stdout or "[]")
    return [link for link in shown if link.get("path") == path or link.get("file") == path]


def test_probes_are_gone_soon_after_bpfpads_returns(require_root, run_bpfpads, testprogs, workdir):
    # bpfpads returns before the kernel has taken its probes out (a child process drops
    # them after it exits): they must still go, with nothing left behind.
    binary = str(testprogs / "hooked")
    run_bpfpads(["run", "--no-default-mappings", "--mapping", str(MAPPING), "--", binary, str(testlib(testprogs))],
                check_returncode=0)
    loader = os.path.realpath("/lib64/ld-linux-x86-64.so.2")
    deadline = time.monotonic() + 10
    while (bpf_links_on(binary) or bpf_links_on(loader)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert bpf_links_on(binary) == [] and bpf_links_on(loader) == []


# Hundreds of extension modules opened, then the target library through ctypes.
IMPORTS_THEN_TARGET = """
import ctypes, sys
import decimal, sqlite3, json, hashlib, ssl, csv, bz2, lzma, zlib, array, mmap, select, uuid
import numpy, scipy.linalg, scipy.sparse, sklearn.linear_model
objects = {l.split()[-1] for l in open("/proc/self/maps") if ".so" in l}
lib = ctypes.CDLL(sys.argv[1])
print("objects=%d add=%d" % (len(objects), lib.bpfpads_testlib_add(20, 22)))
"""


def test_only_objects_a_target_could_select_stop_the_job(require_root, run_bpfpads, testprogs, workdir):
    python = os.environ.get("BPFPADS_ML_PYTHON", sys.executable)
    res = run_bpfpads(["run", "--mapping", str(MAPPING), "--", python, "-c", IMPORTS_THEN_TARGET,
                       str(testlib(testprogs))], check_returncode=0, timeout=300)
    objects = int(res.stdout.split("objects=")[1].split()[0])
    assert objects > 100 and "add=42" in res.stdout
    client = mlflow_client(f"sqlite:///{workdir}/mlflow.db")
    run = only_run(client)
    # Seen on its first call although the watch let every other dlopen pass.
    assert history(client, run, "testlib_add") == [(0, 42.0)]
    # Start-up (every new program stops once) and the test library; not one per dlopen.
    assert final(client, run, "bpfpads/library_load_stops") == 2


def test_without_executable_targets_a_new_program_runs_unheld(require_root, run_bpfpads, testprogs, workdir):
    # Only the {lib:} part of the mapping: python's start maps no target, so the only
    # stop is the test library's dlopen, whose first call is still seen.
    mapping = workdir / "lib_only.yaml"
    text = MAPPING.read_text()
    mapping.write_text(text.split("mappings:")[0] + "mappings:\n" + text[text.index("  :{lib:libbpfpads_testlib}:"):])
    python = os.environ.get("BPFPADS_ML_PYTHON", sys.executable)
    res = run_bpfpads(["run", "--no-default-mappings", "--mapping", str(mapping), "--", python, "-c",
                       IMPORTS_THEN_TARGET, str(testlib(testprogs))], check_returncode=0, timeout=300)
    assert "add=42" in res.stdout
    client = mlflow_client(f"sqlite:///{workdir}/mlflow.db")
    run = only_run(client)
    assert history(client, run, "testlib_add") == [(0, 42.0)]
    assert final(client, run, "bpfpads/library_load_stops") == 1


def test_attach_record_counts_probes_and_links(hooked_run):
    _, run, _ = hooked_run
    # 7 uprobe hooks, all entry+return (the default events include `pipeline`): 6 in
    # hooked, 1 in the library it opens; and 1 USDT probe. uprobe_multi: one link per
    # binary and program (entry, return).
    assert run.data.tags["bpfpads.hook_attach"] == EXPECTED_ATTACH[run.data.tags["bpfpads.hook_attach_mode"]]


def test_hit_counts_and_mapping_record(hooked_run):
    client, run, _ = hooked_run
    assert final(client, run, "bpfpads/hook_hits/set_param") == 3
    assert final(client, run, "bpfpads/hook_hits/train_step") == 5
    assert final(client, run, "bpfpads/hook_hits/eval_step") == 5
    assert final(client, run, "bpfpads/hook_hits/save_model") == 1
    assert final(client, run, "bpfpads/hook_hits/bpfpads_testlib_add") == 1
    uses = {u["file"]: u for u in json.loads(run.data.tags["bpfpads.mappings"])}
    assert uses["hooked_test.yaml"]["version"] == "1.0.0"
    assert uses["hooked_test.yaml"]["status"] == "active" and uses["hooked_test.yaml"]["hooks"] == 8
    assert run.data.tags["bpfpads.mapping.hooked_test.yaml"].startswith("version 1.0.0;")


def test_cut_and_unreadable_values_are_counted_and_the_job_unharmed(hooked_run):
    client, run, res = hooked_run
    assert run.info.status == "FINISHED"
    assert run.data.tags["note"] == "x" * 63  # str[64]: the kept part, marked cut
    assert final(client, run, "bpfpads/dropped/capture_cut") == 1
    assert final(client, run, "bpfpads/dropped/capture_unreadable") == 1
    assert "note: capture 'text' was unreadable" in run.data.tags["bpfpads.hook_notes"]


def test_saved_model_is_copied_and_per_call_hardware_logged(hooked_run, workdir):
    client, run, _ = hooked_run
    local = client.download_artifacts(run.info.run_id, "outputs/model.json", str(workdir / "dl"))
    assert Path(local).read_text() == '{"model": "trees"}\n'
    assert len(history(client, run, "calls/train_step/duration_ms")) == 5
    assert history(client, run, "calls/save_model/disk_write_mb")[0][1] > 0


def test_call_tree_and_trace_events(hooked_run, workdir):
    client, run, _ = hooked_run
    tree = json.loads(Path(client.download_artifacts(run.info.run_id, "bpfpads/pipeline.json",
                                                     str(workdir / "dl"))).read_text())
    threads = next(iter(tree["processes"].values()))
    calls = [c for t in threads.values() for c in t]
    # fib recurses: the outermost call holds the others.
    fib = [c for c in calls if c["function"] == "fib"]
    assert len(fib) == 1 and fib[0]["calls"], fib
    trace = json.loads(Path(client.download_artifacts(run.info.run_id, "bpfpads/trace.json",
                                                      str(workdir / "dl"))).read_text())
    names = {e["name"] for e in trace["traceEvents"]}
    assert {"train_step", "eval_step", "fib", "save_model"} <= names
    assert all(e["ph"] == "X" and e["dur"] >= 0 for e in trace["traceEvents"])


def test_calls_of_a_hook_without_captures_each_arrive(require_root, run_bpfpads, testprogs, workdir):
    # pypads_log needs no return and this entry captures nothing: each call travels as
    # the small bp_hook_hit record.
    mapping = workdir / "plain.yaml"
    mapping.write_text(MAPPING.read_text().split("mappings:")[0] +
                       "mappings:\n  :{exe:*hooked}:\n    :train_step:\n      hooks: \"pypads_log\"\n")
    run_bpfpads(["run", "--mapping", str(mapping), "--", str(testprogs / "hooked")], check_returncode=0)
    client = mlflow_client(f"sqlite:///{workdir}/mlflow.db")
    run = only_run(client)
    assert final(client, run, "bpfpads/hook_hits/train_step") == 5
    log = Path(client.download_artifacts(run.info.run_id, "bpfpads/calls.log", str(workdir / "dl"))).read_text()
    lines = log.splitlines()
    assert len(lines) == 5, log
    pid = lines[0].split()[1]
    assert all(line.split()[1:] == [pid, "tid=" + pid[len("pid="):], "train_step"] for line in lines), log


def test_recursion_identity_keeps_only_the_outermost_call(require_root, run_bpfpads, testprogs, workdir):
    config = workdir / "pipeline.yaml"
    config.write_text("config:\n  recursion_identity: true\n")
    run_bpfpads(["run", "--mapping", str(MAPPING), "--config", str(config), "--",
                 str(testprogs / "hooked")], check_returncode=0)
    client = mlflow_client(f"sqlite:///{workdir}/mlflow.db")
    run = only_run(client)
    hits = final(client, run, "bpfpads/hook_hits/fib")
    assert final(client, run, "bpfpads/calls_skipped_by_recursion_rules") == hits - 1


def test_mappings_check_reports_file_line_column(bpfpads_bin, workdir):
    bad = workdir / "bad.yaml"
    bad.write_text("metadata:\n  author: a\n  version: '1'\n  library: {name: x, version: '*'}\n"
                   "mappings:\n  :{lib:libx}:\n    :f:\n      hooks: pypads_fit\n      capturez: {}\n")
    res = subprocess.run([str(bpfpads_bin), "mappings", "check", str(bad)], capture_output=True, text=True)
    assert res.returncode == 1
    assert f"{bad}:9:7: error: unknown key 'capturez'" in res.stderr, res.stderr
    ok = subprocess.run([str(bpfpads_bin), "mappings", "check", str(MAPPING)], capture_output=True, text=True)
    assert ok.returncode == 0 and "8 entries" in ok.stdout


def test_mappings_resolve_shows_symbols_and_near_matches(bpfpads_bin, testprogs, workdir):
    res = subprocess.run([str(bpfpads_bin), "mappings", "resolve", str(MAPPING), "--binary",
                          str(testprogs / "hooked")], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "-> set_param @ file offset 0x" in res.stdout
    assert "bpfpads_test:iteration (USDT bpfpads_test:iteration)" in res.stdout
    typo = workdir / "typo.yaml"
    typo.write_text(MAPPING.read_text().replace(":train_step:", ":train_stepp:"))
    res = subprocess.run([str(bpfpads_bin), "mappings", "resolve", str(typo), "--binary",
                          str(testprogs / "hooked"), "--strict"], capture_output=True, text=True)
    assert res.returncode == 1
    assert "train_stepp matched no symbol; near: train_step" in res.stderr, res.stderr


def test_bad_mapping_fails_before_the_job_runs(run_bpfpads, workdir):
    bad = workdir / "bad.yaml"
    bad.write_text("metadata: {}\nmappings: {}\n")
    marker = workdir / "ran"
    res = run_bpfpads(["run", "--mapping", str(bad), "--", "touch", str(marker)])
    assert res.returncode == 2
    assert str(bad) in res.stderr
    assert not marker.exists()


@pytest.mark.parametrize("mode", sorted(ATTACH_MODES))
def test_hot_hook_is_stopped_and_the_run_says_why(mode, require_root, run_bpfpads, testprogs, workdir):
    res = run_bpfpads(["run", "--interval", "0.2", "--max-hook-cost", "100", "--max-hook-rate", "1000", "--mapping",
                       str(SOURCE_DIR / "tests" / "data" / "mappings" / "hot_loop.yaml"), "--",
                       str(testprogs / "hot_loop"), "1.5"], env=ATTACH_MODES[mode], check_returncode=0)
    calls = int(res.stdout.split("calls=")[1].split()[0])
    client = mlflow_client(f"sqlite:///{workdir}/mlflow.db")
    run = only_run(client)
    assert run.data.tags["bpfpads.hook_attach_mode"] == mode
    # Stopped at the first tick over the limit: its hits stop counting there.
    hits = final(client, run, "bpfpads/hook_hits/hot_step")
    assert 1000 < hits < calls / 2, (hits, calls)
    # hot_step starts with `lea`, which the kernel single-steps: attached as a classic
    # uprobe in both modes, so that it can be taken out for real.
    assert "hot_step fired " in run.data.tags["bpfpads.hook_notes"]
    assert "over --max-hook-rate 1000: detached" in run.data.tags["bpfpads.hook_notes"]


@pytest.mark.parametrize("mode", sorted(ATTACH_MODES))
def test_a_dear_hook_is_detached_by_its_cost_and_the_job_speeds_up(mode, require_root, run_bpfpads, testprogs,
                                                                   workdir):
    # A single-stepped probe (~15 us a hit here) keeps its count under a rate limit while
    # the job crawls; the guard charges each hit its trap and detaches the hook once its
    # share of the job's CPU passes 5 %, for real.
    # (No rate limit here: only the cost may stop it.)
    res = run_bpfpads(["run", "--interval", "0.2", "--max-hook-rate", "1e9", "--mapping",
                       str(SOURCE_DIR / "tests" / "data" / "mappings" / "hot_loop.yaml"), "--",
                       str(testprogs / "hot_loop"), "2"], env=ATTACH_MODES[mode], check_returncode=0)
    calls = int(res.stdout.split("calls=")[1].split()[0])
    run = only_run(mlflow_client(f"sqlite:///{workdir}/mlflow.db"))
    notes = run.data.tags["bpfpads.hook_notes"]
    assert "single-stepped probe" in notes and "over the 5% --max-hook-cost: detached after " in notes, notes
    hits = run.data.metrics["bpfpads/hook_hits/hot_step"]
    # Detached within the first ticks: most of the 2 s ran at full speed, untrapped.
    assert hits < calls / 20, (hits, calls)


# hot_step with its return value: a paired hook (uprobe + uretprobe), on an event
# that no logger handles, so that a million calls cost the collector little.
PAIRED_HOT_STEP = """
metadata: {author: "bpfpads tests", version: "1.0.0", library: {name: "hot_loop", version: "*"}}
mappings:
  :{exe:*hot_loop}:
    :hot_step:
      hooks: "only_counted"
      capture:
        returns: i64
"""


@pytest.mark.parametrize("mode", sorted(ATTACH_MODES))
def test_only_the_tracked_tree_produces_hits_and_records(mode, require_root, run_bpfpads, testprogs, workdir):
    # Probes are per file: another process running the same program traps on them
    # all along, entries and returns, and must leave no trace in the run.
    mapping = workdir / "paired_hot_step.yaml"
    mapping.write_text(PAIRED_HOT_STEP)
    outside = subprocess.Popen([str(testprogs / "hot_loop"), "4"], stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(0.2)  # in its loop before the probes go in, and after they are out
        res = run_bpfpads(["run", "--no-default-mappings", "--max-hook-rate", "1e12", "--max-hook-cost", "100",
                           "--mapping", str(mapping),
                           "--", str(testprogs / "hot_loop"), "0.5"], env=ATTACH_MODES[mode], check_returncode=0)
    finally:
        outside_calls = int(outside.communicate(timeout=30)[0].split("calls=")[1].split()[0])
    calls = int(res.stdout.split("calls=")[1].split()[0])
    run = only_run(mlflow_client(f"sqlite:///{workdir}/mlflow.db"))
    metrics = run.data.metrics
    assert outside_calls > calls > 1000
    assert metrics["bpfpads/hook_hits/hot_step"] == calls
    assert metrics["bpfpads/dropped/unpaired_return"] == 0
    # One record per tracked call at most (a full ring drops some, counted), plus the
    # process tree's own: none from the outside process's millions of returns.
    dropped = metrics["bpfpads/dropped/ring_buffer_full"]
    assert calls - dropped <= metrics["bpfpads/records_read"] <= calls - dropped + 100


def test_run_strict_refuses_a_path_that_matches_nothing_before_the_job_starts(
        require_root, run_bpfpads, testprogs, workdir):
    text = MAPPING.read_text().replace(":train_step:", ":train_stepp:")
    typo = workdir / "typo.yaml"
    typo.write_text(text)
    line = next(n for n, l in enumerate(text.splitlines(), 1) if ":train_stepp:" in l)
    expected = f"{typo}:{line}: {{exe:*hooked}}.train_stepp matched no symbol; near: train_step"
    job = ["--mapping", str(typo), "--", str(testprogs / "hooked")]
    res = run_bpfpads(["run", "--strict", *job])
    assert res.returncode == 2, res.stderr
    assert "--strict" in res.stderr and expected in res.stderr, res.stderr
    assert "fib(10)" not in res.stdout  # the job never ran
    assert not (workdir / "mlflow.db").exists() or not mlflow_client(
        f"sqlite:///{workdir}/mlflow.db").search_runs(["0"])
    # Without --strict: the same line as a warning, and the run goes on.
    res = run_bpfpads(["run", *job], check_returncode=0)
    assert "fib(10)=55" in res.stdout
    assert expected in res.stderr, res.stderr


@pytest.mark.parametrize("how,exit_code,unpaired", [("exit", 3, 0), ("exec", 0, 1)])
def test_process_that_exits_or_execs_mid_call_leaks_nothing(how, exit_code, unpaired, require_root,
                                                            run_bpfpads, testprogs, workdir):
    run_bpfpads(["run", "--mapping", str(SOURCE_DIR / "tests" / "data" / "mappings" / "leave_mid_call.yaml"),
                 "--", str(testprogs / "leave_mid_call"), how], check_returncode=exit_code)
    client = mlflow_client(f"sqlite:///{workdir}/mlflow.db")
    run = only_run(client)
    assert run.data.tags["bpfpads.exit_code"] == str(exit_code)
    assert final(client, run, "bpfpads/hook_hits/leave") == 1
    # exec drops the call in flight (counted); exit frees it with the thread's storage.
    assert final(client, run, "bpfpads/dropped/unpaired_entry") == unpaired
    assert final(client, run, "bpfpads/dropped/unpaired_return") == 0
