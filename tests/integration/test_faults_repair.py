"""A run whose bpfpads and guard were both killed stays RUNNING only until `bpfpads
repair` or the next `bpfpads run` on the same store, which end it as KILLED with
bpfpads.incomplete; a run whose bpfpads still lives is left alone. Both local stores."""
import os
import signal
import sqlite3
import subprocess
import time

import pytest

from conftest import mlflow_client
from faults import wait_for


def runs_in_store(workdir):
    """Runs written so far, read without MLflow: its client would create and migrate an
    empty database itself, racing bpfpads' own start."""
    db = workdir / "mlflow.db"
    if db.exists():
        try:
            con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            try:
                return con.execute("select count(*) from runs").fetchone()[0]
            finally:
                con.close()
        except sqlite3.Error:
            return 0
    return len(list((workdir / "mlruns").glob("*/*/meta.yaml")))


def start_long_run(bpfpads_bin, workdir, uri, expect_runs=1):
    err = workdir / f"run{expect_runs}.err"
    bp = subprocess.Popen([str(bpfpads_bin), "run", "--tracking-uri", uri, "--", "sleep", "30"], cwd=workdir,
                          stdout=subprocess.DEVNULL, stderr=open(err, "w"))
    try:
        wait_for(lambda: runs_in_store(workdir) == expect_runs, 20, "the run to start")
    except AssertionError as e:
        raise AssertionError(f"{e}; bpfpads said: {err.read_text()}") from None
    return bp, mlflow_client(uri)


def guard_of(pid):
    out = subprocess.run(["pgrep", "-P", str(pid), "-x", "bpfpads-guard"], capture_output=True, text=True).stdout
    return int(out.split()[0])


@pytest.mark.parametrize("store", ["sqlite", "file"])
def test_runs_of_dead_collectors_are_ended_by_repair_and_by_the_next_run(require_root, bpfpads_bin, workdir,
                                                                        run_bpfpads, store):
    uri = f"sqlite:///{workdir}/mlflow.db" if store == "sqlite" else f"file://{workdir}/mlruns"
    env = {"MLFLOW_ALLOW_FILE_STORE": "true"}
    # A collector killed with its guard (the guard first: it would end the run).
    dead, client = start_long_run(bpfpads_bin, workdir, uri)
    os.kill(guard_of(dead.pid), signal.SIGKILL)
    dead.kill()
    dead.wait()
    time.sleep(0.5)
    assert [r.info.status for r in client.search_runs(["0"])] == ["RUNNING"]
    res = run_bpfpads(["repair", "--tracking-uri", uri], env=env, check_returncode=0)
    assert "1 run ended" in res.stdout, res.stdout + res.stderr
    killed = client.search_runs(["0"])[0]
    assert killed.info.status == "KILLED" and killed.info.end_time
    assert killed.data.tags["bpfpads.incomplete"] == "true"
    assert "ended without finishing the run, and so did its guard" in killed.data.tags["bpfpads.incomplete_reason"]

    # A collector that lives: left alone.
    alive, _ = start_long_run(bpfpads_bin, workdir, uri, expect_runs=2)
    try:
        res = run_bpfpads(["repair", "--tracking-uri", uri], env=env, check_returncode=0)
        assert "0 runs ended" in res.stdout
        assert sorted(r.info.status for r in client.search_runs(["0"])) == ["KILLED", "RUNNING"]
        os.kill(guard_of(alive.pid), signal.SIGKILL)
    finally:
        alive.kill()
        alive.wait()
    # Now it is dead too, with its guard: the next run on the store ends it.
    res = run_bpfpads(["run", "--tracking-uri", uri, "--", "true"], env=env, check_returncode=0)
    assert "was left open by a bpfpads that is gone: ended as KILLED" in res.stderr
    statuses = sorted(r.info.status for r in client.search_runs(["0"]))
    assert statuses == ["FINISHED", "KILLED", "KILLED"]
