"""`bpfpads run` end to end: real BPF in this kernel, real jobs, runs read back
through the real MLflow client."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import final, history, mlflow_client, only_run


def sqlite_uri(workdir):
    return f"sqlite:///{workdir}/mlflow.db"


def test_c_job_usage_agrees_with_the_kernel(require_root, run_bpfpads, testprogs, workdir):
    """A job that burns ~2 s of CPU in a child, holds ~300 MB and writes ~64 MB: the
    run's totals agree with what the job did and with getrusage()//proc/self/io."""
    res = run_bpfpads(["run", "--interval", "0.5", "--", str(testprogs / "workload"),
                       "--cpu", "2", "--mem", "300", "--write", "64", "--dir", str(workdir)],
                      check_returncode=0)
    job = res.job_json()
    client = mlflow_client(sqlite_uri(workdir))
    run = only_run(client)
    assert run.info.status == "FINISHED"
    assert run.data.tags["bpfpads.exit_code"] == "0"

    cpu = final(client, run, "bpfpads/cpu_seconds")
    # The kernel's own accounting of the reaped tree; ours also counts the exec
    # and the time before the job's own getrusage call, hence the small slack.
    assert job["cpu_seconds"] * 0.97 - 0.05 <= cpu <= job["cpu_seconds"] * 1.05 + 0.15, (cpu, job)
    assert 1.9 <= cpu <= 2.6

    peak_mb = final(client, run, "bpfpads/peak_memory_mb")
    kernel_peak_mb = job["maxrss_kb"] * 1024 / 1e6
    assert kernel_peak_mb * 0.95 <= peak_mb <= kernel_peak_mb * 1.2 + 5, (peak_mb, job)
    assert peak_mb >= 300 * 1.048576 * 0.95

    written = final(client, run, "bpfpads/disk_write_mb")
    assert job["write_bytes"] / 1e6 * 0.98 <= written <= job["write_bytes"] / 1e6 * 1.05 + 1, (written, job)
    assert written >= 64 * 1.048576

    assert final(client, run, "bpfpads/context_switches") > 0
    assert final(client, run, "bpfpads/page_faults") >= 300 * 256  # one fault per 4 KiB page touched

    # Histories: several samples, memory seen while held.
    rss = history(client, run, "system/process_memory_rss_megabytes")
    assert len(rss) >= 4
    assert max(v for _, v in rss) >= 290
    steps = [s for s, _ in rss]
    assert steps == sorted(steps) and steps[0] == 0
    cpu_pct = history(client, run, "system/process_cpu_percent")
    assert max(v for _, v in cpu_pct) >= 50
    assert [s for s, _ in history(client, run, "system/cpu_utilization_percentage")]
    for reason in ("ring_buffer_full", "process_table_full"):
        assert final(client, run, f"bpfpads/dropped/{reason}") == 0


def test_run_metadata_and_setup_functions(require_root, run_bpfpads, testprogs, workdir):
    res = run_bpfpads(["run", "--run-name", "meta-check", "--tag", "team=ml", "--",
                       str(testprogs / "workload"), "--cpu", "0.1"], check_returncode=0)
    client = mlflow_client(sqlite_uri(workdir))
    run = only_run(client)
    tags = run.data.tags
    assert run.info.run_name == "meta-check"
    assert tags["mlflow.runName"] == "meta-check"
    assert tags["mlflow.source.name"] == f"{testprogs / 'workload'} --cpu 0.1"
    assert tags["team"] == "ml"
    assert tags["bpfpads.mode"] == "run"
    assert tags["bpfpads.system.kernel"] == os.uname().release
    assert int(tags["bpfpads.cpu.logical_cores"]) == os.cpu_count()
    assert float(tags["bpfpads.ram.total_mb"]) > 0
    assert tags["bpfpads.process.cwd"] == str(workdir)
    assert tags["bpfpads.host.name"] == os.uname().nodename
    assert "bpfpads.warnings" not in tags, tags.get("bpfpads.warnings")
    assert run.info.user_id == tags["mlflow.user"]
    assert res.stderr.count("bpfpads: run ") == 1 and run.info.run_id in res.stderr


def test_nonzero_exit_is_failed_with_output_tail(require_root, run_bpfpads, testprogs, workdir):
    res = run_bpfpads(["run", "--", str(testprogs / "workload"), "--exit", "3",
                       "--stderr", "something broke at step 7"], check_returncode=3)
    # The job's output passes through unchanged.
    assert "something broke at step 7" in res.stderr
    assert '"cpu_seconds"' in res.stdout
    client = mlflow_client(sqlite_uri(workdir))
    run = only_run(client)
    assert run.info.status == "FAILED"
    assert run.data.tags["bpfpads.exit_code"] == "3"
    local = client.download_artifacts(run.info.run_id, "bpfpads", str(workdir / "dl"))
    assert "something broke at step 7" in (Path(local) / "stderr_tail.txt").read_text()
    assert '"cpu_seconds"' in (Path(local) / "stdout_tail.txt").read_text()


def write_tracepoint_attached(proc, seconds):
    """Whether bpfpads (proc) attached the sys_enter_write tracepoint within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        shown = subprocess.run(["bpftool", "perf", "show"], capture_output=True, text=True).stdout
        if any(line.startswith(f"pid {proc.pid} ") and "sys_enter_write" in line for line in shown.splitlines()):
            return True
        time.sleep(0.1)
    return False


def test_output_into_files_is_read_back_without_the_write_tracepoint(require_root, bpfpads_bin, testprogs,
                                                                     workdir):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    job = [str(bpfpads_bin), "run", "--", str(testprogs / "workload"), "--sleep", "2", "--exit", "3",
           "--stderr", "something broke at step 7"]
    out, err = workdir / "out.log", workdir / "err.log"
    err.write_text("an earlier line of the log\n")  # appended to: not the job's
    with open(out, "w") as o, open(err, "a") as e:
        proc = subprocess.Popen(job, cwd=workdir, env=env, stdout=o, stderr=e)
        attached = write_tracepoint_attached(proc, 1.5)
        assert proc.wait(timeout=60) == 3
    assert not attached
    assert err.read_text().startswith("an earlier line of the log\nsomething broke at step 7\n")
    client = mlflow_client(sqlite_uri(workdir))
    run = only_run(client)
    local = Path(client.download_artifacts(run.info.run_id, "bpfpads", str(workdir / "dl")))
    assert (local / "stderr_tail.txt").read_text() == "something broke at step 7\n"
    assert (local / "stdout_tail.txt").read_text() == out.read_text()
    assert out.read_text().startswith('{"pid": ')

    # A pipe keeps the tracepoint (the control: the check above can see it).
    proc = subprocess.Popen(job, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    attached = write_tracepoint_attached(proc, 1.5)
    proc.communicate(timeout=60)
    assert attached


def test_killed_by_signal_is_failed_with_signal(require_root, run_bpfpads, testprogs, workdir):
    run_bpfpads(["run", "--", str(testprogs / "workload"), "--signal", "9"], check_returncode=137)
    client = mlflow_client(sqlite_uri(workdir))
    run = only_run(client)
    assert run.info.status == "FAILED"
    assert run.data.tags["bpfpads.signal"] == "9"
    assert run.data.tags["bpfpads.signal_name"] == "SIGKILL"


def test_command_not_found(require_root, run_bpfpads, workdir):
    res = run_bpfpads(["run", "--", "no-such-command-xyz", "arg"], check_returncode=127)
    assert "no-such-command-xyz: command not found" in res.stderr
    client = mlflow_client(sqlite_uri(workdir))
    run = only_run(client)
    assert run.info.status == "FAILED"
    assert run.data.tags["bpfpads.exit_code"] == "127"
    assert "command not found" in run.data.tags["bpfpads.error"]


def test_run_waits_for_orphaned_grandchildren(require_root, run_bpfpads, testprogs, workdir):
    start = time.monotonic()
    run_bpfpads(["run", "--", str(testprogs / "workload"), "--orphan", "1.5"], check_returncode=0)
    assert time.monotonic() - start >= 1.4
    run = only_run(mlflow_client(sqlite_uri(workdir)))
    assert run.info.status == "FINISHED"
    assert run.info.end_time - run.info.start_time >= 1400


def test_python_multiprocessing_children_are_counted(require_root, run_bpfpads, workdir):
    script = Path(__file__).parent / "workloads" / "mp_job.py"
    res = run_bpfpads(["run", "--", sys.executable, str(script), "2", "0.6"], check_returncode=0)
    client = mlflow_client(sqlite_uri(workdir))
    run = only_run(client)
    cpu = final(client, run, "bpfpads/cpu_seconds")
    job = res.job_json()
    assert cpu >= 2 * 0.6 * 0.95, (cpu, job)
    assert final(client, run, "bpfpads/processes_forked") >= 2


def test_sigterm_to_bpfpads_reaches_job_and_marks_killed(require_root, bpfpads_bin, testprogs, workdir):
    proc = subprocess.Popen([str(bpfpads_bin), "run", "--", str(testprogs / "workload"), "--sleep", "30"],
                            cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signal.SIGTERM, err
    run = only_run(mlflow_client(sqlite_uri(workdir)))
    assert run.info.status == "KILLED"
    assert run.data.tags["bpfpads.signal_name"] == "SIGTERM"


def test_tracking_uri_and_experiment_from_environment(require_root, run_bpfpads, testprogs, workdir):
    store = workdir / "elsewhere"
    store.mkdir()
    run_bpfpads(["run", "--", str(testprogs / "workload")], check_returncode=0,
                env={"MLFLOW_TRACKING_URI": f"sqlite:///{store}/runs.db",
                     "MLFLOW_EXPERIMENT_NAME": "from-env"})
    assert not (workdir / "mlflow.db").exists()
    run = only_run(mlflow_client(f"sqlite:///{store}/runs.db"), "from-env")
    assert run.info.status == "FINISHED"


def test_file_store(require_root, run_bpfpads, testprogs, workdir):
    run_bpfpads(["run", "--tracking-uri", "file:./mlruns", "--experiment", "fs", "--",
                 str(testprogs / "workload"), "--cpu", "0.2"], check_returncode=0)
    client = mlflow_client(f"file://{workdir}/mlruns")
    run = only_run(client, "fs")
    assert run.info.status == "FINISHED"
    assert final(client, run, "bpfpads/cpu_seconds") >= 0.15


def test_unwritable_store_fails_before_the_job_runs(require_root, run_bpfpads, workdir):
    marker = workdir / "job-ran"
    res = run_bpfpads(["run", "--tracking-uri", "sqlite:////proc/no/such/dir/mlflow.db", "--",
                       "touch", str(marker)])
    assert res.returncode == 2
    assert "/proc/no/such/dir" in res.stderr
    assert not marker.exists()


def test_attach_adopts_process_and_descendants(require_root, bpfpads_bin, run_bpfpads, testprogs, workdir):
    # The job sleeps first, then forks a CPU burner: that child must be tracked.
    job = subprocess.Popen([str(testprogs / "workload"), "--sleep", "1.5", "--cpu", "0.5"],
                           cwd=workdir, stdout=subprocess.PIPE, text=True)
    try:
        res = run_bpfpads(["attach", "--pid", str(job.pid), "--interval", "0.3"], timeout=60)
    finally:
        job.wait(timeout=30)
    assert res.returncode == 0, res.stderr
    client = mlflow_client(sqlite_uri(workdir))
    run = only_run(client)
    assert run.info.status == "FINISHED"
    assert run.data.tags["bpfpads.mode"] == "attach"
    assert final(client, run, "bpfpads/cpu_seconds") >= 0.45
    assert final(client, run, "bpfpads/processes_forked") >= 1


def test_attach_to_missing_pid_is_a_clear_error(require_root, run_bpfpads):
    res = run_bpfpads(["attach", "--pid", "4194000"])
    assert res.returncode == 2
    assert "--pid 4194000" in res.stderr and "no process" in res.stderr
