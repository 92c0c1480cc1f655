"""Fallback paths for older kernels, forced on this one (BPFPADS_FORCE_FALLBACK): the
run's content must stay right, and its `bpfpads.degraded` tag must say what was lost."""
import json
from pathlib import Path

from conftest import SOURCE_DIR, final, history, mlflow_client, only_run

MAPPING = SOURCE_DIR / "tests" / "data" / "mappings" / "hooked_test.yaml"


def forced_run(run_bpfpads, workdir, fallback, args, returncode):
    res = run_bpfpads(args, env={"BPFPADS_FORCE_FALLBACK": fallback}, check_returncode=returncode)
    client = mlflow_client(f"sqlite:///{workdir}/mlflow.db")
    return client, only_run(client), res


def hooked_args(testprogs):
    testlib = Path(testprogs).parent / "tests" / "testlibs" / "libbpfpads_testlib.so"
    return ["run", "--mapping", str(MAPPING), "--", str(testprogs / "hooked"), str(testlib)]


def test_no_attach_cookie_names_hooks_by_address(require_root, run_bpfpads, testprogs, workdir):
    client, run, res = forced_run(run_bpfpads, workdir, "attach_cookie", hooked_args(testprogs), 0)
    assert "add=42" in res.stdout
    assert run.data.tags["bpfpads.degraded"].startswith(
        "no bpf_get_attach_cookie (forced by BPFPADS_FORCE_FALLBACK): uprobe hooks are named by "
        "their address"), run.data.tags["bpfpads.degraded"]
    # Entry-only hooks (set_param from two threads), paired ones with out-parameters
    # (eval_step), USDT, and a library opened with dlopen after the job started.
    assert run.data.params == {"max_depth": "6", "eta": "0.3", "nthread": "2"}
    assert history(client, run, "train-rmse") == [(0, 1.0), (1, 0.5), (2, 0.3333), (3, 0.25), (4, 0.2)]
    assert history(client, run, "usdt_remaining") == [(i, 100.0 - i) for i in range(5)]
    assert history(client, run, "testlib_add") == [(4, 42.0)]
    hits = {f: final(client, run, f"bpfpads/hook_hits/{f}")
            for f in ("set_param", "train_step", "eval_step", "fib", "save_model", "bpfpads_testlib_add")}
    assert hits == {"set_param": 3, "train_step": 5, "eval_step": 5, "fib": 89, "save_model": 1,
                    "bpfpads_testlib_add": 1}
    # Returns pair with the innermost open call: fib's recursion nests exactly.
    assert final(client, run, "bpfpads/dropped/unpaired_return") == 0
    assert final(client, run, "bpfpads/dropped/unpaired_entry") == 0
    tree = json.loads(Path(client.download_artifacts(run.info.run_id, "bpfpads/pipeline.json",
                                                     str(workdir / "dl"))).read_text())
    calls = [c for t in next(iter(tree["processes"].values())).values() for c in t]
    fib = [c for c in calls if c["function"] == "fib"]

    def nested(call):
        return sum(1 + nested(c) for c in call["calls"])
    # Every call once, nested under the first. (Not len(fib) == 1: under heavy load the
    # pipeline sometimes puts one leaf call at the top, with cookies too.)
    assert sum(1 + nested(c) for c in fib) == hits["fib"] and nested(fib[0]) >= hits["fib"] - 2, fib


def test_no_task_storage_turns_hooks_off_and_keeps_the_run(require_root, run_bpfpads, testprogs, workdir):
    client, run, res = forced_run(run_bpfpads, workdir, "task_storage", hooked_args(testprogs), 0)
    assert "add=42" in res.stdout
    assert run.info.status == "FINISHED"
    assert run.data.tags["bpfpads.degraded"] == (
        "mapping hooks are off: their BPF programs do not load on this kernel (bpfpads_hooks.bpf.o: "
        "BPF task storage (5.11+) is not available (forced by BPFPADS_FORCE_FALLBACK))\n")
    assert run.data.params == {}
    assert final(client, run, "bpfpads/processes_forked") >= 0
    assert final(client, run, "bpfpads/cpu_seconds") > 0


def test_no_write_tracepoint_drops_only_the_output_tail(require_root, run_bpfpads, testprogs, workdir):
    args = ["run", "--", str(testprogs / "workload"), "--exit", "3", "--stderr", "something broke at step 7"]
    client, run, res = forced_run(run_bpfpads, workdir, "tp_sys_enter_write", args, 3)
    assert "something broke at step 7" in res.stderr  # the job's output still passes through
    assert run.info.status == "FAILED"
    assert run.data.tags["bpfpads.exit_code"] == "3"
    assert run.data.tags["bpfpads.degraded"] == (
        "no output tail on failure: syscalls/sys_enter_write is not available "
        "(forced by BPFPADS_FORCE_FALLBACK)\n")
    assert [a.path for a in client.list_artifacts(run.info.run_id, "bpfpads")
            if a.path.endswith("_tail.txt")] == []
