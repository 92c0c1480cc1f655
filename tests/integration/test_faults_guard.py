"""bpfpads dies (SIGKILL) while the job is held at a library-load stop: the job must not
pay for it. Its guard process continues it, keeps its process group from being orphaned
(the kernel would send it SIGHUP), and ends the run as KILLED with bpfpads.incomplete.
The stop is made certain by freezing bpfpads (SIGSTOP) first: the job's next library
load then stops it for good, as a collector that died at that moment would."""
import os
import signal
import subprocess
import time

import pytest

from conftest import mlflow_client, only_run
from faults import (fake_xgboost_library, our_bpf_links_on_the_loader, our_bpf_programs, process_state,
                    stopped_processes, wait_for)


def start_loop_job_args(testprogs, workdir, exit_code=7):
    lib = fake_xgboost_library(workdir)
    stop, marker = workdir / "stop", workdir / "marker"
    return [str(testprogs / "dlopen_loop"), str(lib), str(stop), str(marker), str(exit_code)], stop, marker


def guard_of(pid):
    out = subprocess.run(["pgrep", "-P", str(pid), "-x", "bpfpads-guard"], capture_output=True, text=True).stdout
    return int(out.split()[0]) if out.split() else None


def kill_while_held(bpfpads, job_pid):
    """Freezes bpfpads, waits until the job is stopped at a load, then kills bpfpads.
    Returns the PID of its guard."""
    guard = guard_of(bpfpads.pid)
    assert guard, "bpfpads has no guard process"
    os.kill(bpfpads.pid, signal.SIGSTOP)
    wait_for(lambda: process_state(job_pid) == "T", 10, "the job to stop at a library load")
    os.kill(bpfpads.pid, signal.SIGKILL)
    bpfpads.wait(timeout=10)
    return guard


def assert_nothing_left_behind(guards=()):
    # The dead collector's probes and programs go with it; the guard's map goes with the guard.
    wait_for(lambda: our_bpf_links_on_the_loader() == [], 10, "the loader watch's links to go")
    wait_for(lambda: our_bpf_programs() == [], 10, "bpfpads' BPF programs to go")
    # This test's guards (another test's may still be finishing its own work).
    wait_for(lambda: all(process_state(g) in (None, "Z") for g in guards), 10, "the guard to end")


def assert_run_ended_by_guard(workdir):
    uri = f"sqlite:///{workdir}/mlflow.db"
    wait_for(lambda: only_run(mlflow_client(uri)).info.status != "RUNNING", 15, "the guard to end the run")
    run = only_run(mlflow_client(uri))
    assert run.info.status == "KILLED"
    assert run.info.end_time and run.info.end_time >= run.info.start_time
    assert run.data.tags["bpfpads.incomplete"] == "true"
    assert "ended without finishing the run" in run.data.tags["bpfpads.incomplete_reason"]


def test_run_job_held_at_a_library_load_survives_bpfpads_sigkill(require_root, bpfpads_bin, testprogs, workdir):
    args, stop, marker = start_loop_job_args(testprogs, workdir)
    bpfpads = subprocess.Popen([str(bpfpads_bin), "run", "--", *args], cwd=workdir, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    try:
        job = None

        def job_started():
            nonlocal job
            out = subprocess.run(["pgrep", "-f", f"^{args[0]} "], capture_output=True, text=True).stdout.split()
            job = int(out[0]) if out else None
            return job is not None and (workdir / "mlflow.db").exists()

        wait_for(job_started, 20, "the job to start")
        time.sleep(0.5)  # a few loads under tracking
        guard = kill_while_held(bpfpads, job)
        # Continued within a bounded time, and never sent SIGHUP: it runs to its own end.
        wait_for(lambda: process_state(job) != "T", 5, "the guard to continue the job")
        stop.touch()
        wait_for(lambda: process_state(job) in (None, "Z"), 20, "the job to end")
        assert marker.read_text().startswith("done "), "the job did not run to its end"
        assert_run_ended_by_guard(workdir)
        assert_nothing_left_behind([guard])
    finally:
        stop.touch()
        if bpfpads.poll() is None:
            bpfpads.kill()


def test_attached_job_held_at_a_library_load_survives_bpfpads_sigkill(require_root, bpfpads_bin, testprogs,
                                                                      workdir):
    args, stop, marker = start_loop_job_args(testprogs, workdir, exit_code=5)
    job = subprocess.Popen(args, cwd=workdir)
    bpfpads = subprocess.Popen([str(bpfpads_bin), "attach", "--pid", str(job.pid)], cwd=workdir,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: (workdir / "mlflow.db").exists(), 20, "the run to start")
        time.sleep(1.0)
        guard = kill_while_held(bpfpads, job.pid)
        wait_for(lambda: process_state(job.pid) != "T", 5, "the guard to continue the job")
        stop.touch()
        # Our child: its own exit code proves it ran to its end untouched.
        assert job.wait(timeout=20) == 5
        assert marker.read_text().startswith("done ")
        assert_run_ended_by_guard(workdir)
        assert_nothing_left_behind([guard])
    finally:
        stop.touch()
        for p in (bpfpads, job):
            if p.poll() is None:
                p.kill()


def children_of(pid):
    out = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = open(f"/proc/{entry.name}/stat").read()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def comm(pid):
    try:
        return open(f"/proc/{pid}/comm").read().strip()
    except OSError:
        return None


def test_a_job_still_held_before_exec_never_starts_when_bpfpads_dies(require_root, bpfpads_bin, workdir):
    # bpfpads is frozen while the guard's child is forked and not yet let go to exec:
    # when bpfpads then dies, the guard kills the held child, which never ran an
    # instruction of the job (the job would have created the file). The window is a few
    # milliseconds wide: tried until it is hit.
    for attempt in range(30):
        flag = workdir / f"ran{attempt}"
        db = workdir / f"m{attempt}.db"
        bpfpads = subprocess.Popen([str(bpfpads_bin), "run", "--tracking-uri", f"sqlite:///{db}", "--",
                                    "touch", str(flag)], cwd=workdir, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        try:
            held = None
            deadline = time.monotonic() + 20
            while held is None and bpfpads.poll() is None and time.monotonic() < deadline:
                guards = [c for c in children_of(bpfpads.pid) if comm(c) == "bpfpads-guard"]
                kids = children_of(guards[0]) if guards else []
                if kids:
                    os.kill(bpfpads.pid, signal.SIGSTOP)
                    held = kids[0]
            if held is None:
                continue
            time.sleep(0.3)  # a release already on its way would have exec'd by now
            if comm(held) != "bpfpads-guard":
                os.kill(bpfpads.pid, signal.SIGKILL)
                continue  # too late: the job had been let go
            os.kill(bpfpads.pid, signal.SIGKILL)
            bpfpads.wait(timeout=10)
            wait_for(lambda: process_state(held) in (None, "Z"), 10, "the held child to be killed")
            time.sleep(0.2)
            assert not flag.exists(), "the job started after bpfpads had died"
            if db.exists():  # killed after the run was created: the guard ends it
                client = mlflow_client(f"sqlite:///{db}")
                wait_for(lambda: all(r.info.status == "KILLED" for r in client.search_runs(["0"])), 15,
                         "the guard to end the run")
            return
        finally:
            if bpfpads.poll() is None:
                bpfpads.kill()
                bpfpads.wait()
    pytest.fail("never caught the job between its fork and its exec in 30 tries")


def test_sigkill_at_random_moments_never_harms_the_job(require_root, bpfpads_bin, testprogs, workdir):
    """SIGKILL of bpfpads at 20 random moments (start-up, library-load holds, sampling,
    shutdown): each time the job either never started or ran to its own end with its
    own exit code; nothing stays stopped; every run that exists ends up finalised; no
    BPF program or link of bpfpads is left."""
    import random
    rng = random.Random(12072026)
    lib = fake_xgboost_library(workdir)
    outcomes = {"never started": 0, "ran to its end": 0}
    guards = set()
    for i in range(20):
        d = workdir / f"k{i}"
        d.mkdir()
        loop = f"{testprogs / 'dlopen_loop'} {lib} {d / 'stop'} {d / 'marker'} 7"
        script = f"touch {d / 'started'}; (sleep 1.2; touch {d / 'stop'}) & {loop}; echo $? > {d / 'rc'}"
        bp = subprocess.Popen([str(bpfpads_bin), "run", "--interval", "0.1", "--", "sh", "-c", script], cwd=d,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        delay = rng.uniform(0.0, 1.8)
        deadline = time.monotonic() + delay
        while time.monotonic() < deadline:
            g = guard_of(bp.pid)
            if g:
                guards.add(g)
                break
            time.sleep(0.005)
        time.sleep(max(0.0, deadline - time.monotonic()))
        bp.kill()
        bp.wait()
        if not (d / "started").exists():
            time.sleep(0.5)
            assert not (d / "started").exists(), f"attempt {i}: the job started after bpfpads died"
            outcomes["never started"] += 1
        else:
            wait_for(lambda: (d / "rc").exists(), 20, f"attempt {i}: the job to end")
            assert (d / "rc").read_text().strip() == "7", f"attempt {i}: the job did not end on its own"
            assert (d / "marker").read_text().startswith("done ")
            outcomes["ran to its end"] += 1
        if (d / "mlflow.db").exists():
            client = mlflow_client(f"sqlite:///{d}/mlflow.db")
            wait_for(lambda: all(r.info.status != "RUNNING" for r in client.search_runs(["0"])), 15,
                     f"attempt {i}: the run to be finalised")
    assert not [p for p in stopped_processes() if "dlopen_loop" in open(f"/proc/{p}/cmdline").read()]
    assert_nothing_left_behind(guards)
    print(outcomes)
