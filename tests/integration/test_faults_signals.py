"""Signals to `bpfpads run` reach the whole tracked tree for as long as bpfpads lives,
also after the first process exited (its children, orphaned, still run); a second one
ends the run at once as KILLED, leaving what still runs alone."""
import signal
import subprocess
import time

from conftest import mlflow_client, only_run
from faults import wait_for


def start(bpfpads_bin, workdir, script):
    # Into a file: a straggler keeps the descriptors it inherited, a pipe would stay open.
    return subprocess.Popen([str(bpfpads_bin), "run", "--", "sh", "-c", script], cwd=workdir,
                            stdout=subprocess.DEVNULL, stderr=open(workdir / "bpfpads.err", "w"))


def wait_tracked_orphan(workdir, marker):
    wait_for(lambda: (workdir / marker).exists(), 20, "the background child to start")
    time.sleep(0.5)  # the first process has exited by now


def test_sigterm_reaches_orphaned_children_after_the_first_process_exited(require_root, bpfpads_bin, workdir):
    bp = start(bpfpads_bin, workdir, "(touch started; exec sleep 60) & exit 0")
    wait_tracked_orphan(workdir, "started")
    t0 = time.monotonic()
    bp.send_signal(signal.SIGTERM)
    bp.wait(timeout=20)
    err = (workdir / "bpfpads.err").read_text()
    assert time.monotonic() - t0 < 10, "bpfpads waited for the child instead of passing the signal on"
    assert bp.returncode == 0, err  # the first process exited 0; the run is KILLED
    run = only_run(mlflow_client(f"sqlite:///{workdir}/mlflow.db"))
    assert run.info.status == "KILLED" and run.data.tags["bpfpads.interrupted"] == "true"
    assert subprocess.run(["pgrep", "-f", "^sleep 60$"], capture_output=True).returncode != 0


def test_a_second_signal_ends_the_run_without_the_stragglers(require_root, bpfpads_bin, workdir):
    # The child ignores SIGTERM and SIGINT: the first signal cannot end it.
    bp = start(bpfpads_bin, workdir, "(trap '' TERM INT; touch started; sleep 61) & exit 0")
    try:
        wait_tracked_orphan(workdir, "started")
        bp.send_signal(signal.SIGTERM)
        time.sleep(1.0)
        assert bp.poll() is None, "one signal the job ignores must not end the run"
        t0 = time.monotonic()
        bp.send_signal(signal.SIGTERM)
        bp.wait(timeout=20)
        err = (workdir / "bpfpads.err").read_text()
        assert time.monotonic() - t0 < 5
        assert "again: ending the run now, 1 process of the job still running" in err, err
        run = only_run(mlflow_client(f"sqlite:///{workdir}/mlflow.db"))
        assert run.info.status == "KILLED" and run.info.end_time
    finally:
        subprocess.run(["pkill", "-f", "^sleep 61$"])
