"""`bpfpads run` (root, real BPF) with an http:// tracking URI whose spool runs out of
disk in the middle of the job: the job keeps running and exits normally, and once the
server is back `bpfpads sync` ships the run marked incomplete, with what reached the
spool intact on the server."""
import errno
import os
import subprocess
import time

import pytest

from conftest import mlflow_client
from mlflow_servers import HOST, MlflowServer, free_port

JOB = "while [ ! -e go ]; do sleep 0.05; done; echo job-done"


@pytest.fixture
def tiny_spool(require_root, tmp_path):
    d = tmp_path / "spool"
    d.mkdir()
    # 256 KiB: the run record fits, a filler file takes the rest.
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "bpfpads-spool", str(d)], check=True)
    try:
        yield d
    finally:
        subprocess.run(["umount", "-l", str(d)], check=False)


def _fill(path):
    with open(path, "wb", buffering=0) as f:
        while True:
            try:
                f.write(b"\0" * 4096)
            except OSError as e:
                assert e.errno == errno.ENOSPC, e
                break
    # Whatever still fits below one page: a journal line never will.
    with open(str(path) + "2", "wb", buffering=0) as f:
        try:
            f.write(b"\0" * 4095)
        except OSError:
            pass


def _journal(spool):
    journals = list(spool.glob("*.journal"))
    return journals[0] if len(journals) == 1 else None


def test_full_spool_disk_marks_run_incomplete_and_job_goes_on(bpfpads_bin, workdir, tiny_spool, tmp_path):
    port = free_port()
    uri = f"http://{HOST}:{port}"  # nothing listens yet: everything stays in the spool
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    env.update({"BPFPADS_SPOOL_DIR": str(tiny_spool), "BPFPADS_SPOOL_DRAIN_SECONDS": "1"})
    job = subprocess.Popen([str(bpfpads_bin), "run", "--tracking-uri", uri, "--offline-ok", "--experiment",
                            "fulldisk", "--interval", "0.1", "--", "sh", "-c", JOB],
                           cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not (_journal(tiny_spool) and _journal(tiny_spool).read_bytes().count(b"\n") >= 3):
            assert job.poll() is None and time.monotonic() < deadline, job.communicate()
            time.sleep(0.05)
        _fill(tiny_spool / "filler")
        full_size = _journal(tiny_spool).stat().st_size
        time.sleep(1.5)  # ~15 usage samples that cannot be spooled
        assert job.poll() is None, "the job must keep running on a full spool disk"
        assert _journal(tiny_spool).stat().st_size == full_size
        for f in tiny_spool.glob("filler*"):
            f.unlink()
        time.sleep(0.5)  # samples after the gap reach the journal again
        (workdir / "go").touch()
        stdout, stderr = job.communicate(timeout=120)
    finally:
        if job.poll() is None:
            job.kill()
            job.wait()
    assert job.returncode == 0, stderr
    assert "job-done" in stdout
    assert "No space left on device" in stderr, stderr
    assert "offline-ok" in stderr

    srv = MlflowServer(tmp_path / "srv", port=port).start()
    try:
        sync = subprocess.run([str(bpfpads_bin), "sync", "--spool-dir", str(tiny_spool), "--max-wait", "60"],
                              env=env, capture_output=True, text=True, timeout=120)
        assert sync.returncode == 0, sync.stdout + sync.stderr
        assert "1 run(s) sent, 0 left" in sync.stdout, sync.stdout
        assert list(tiny_spool.glob("*.journal")) == []
        client = mlflow_client(uri)
        exp = client.get_experiment_by_name("fulldisk")
        [run] = client.search_runs([exp.experiment_id])
        assert run.info.status == "FINISHED"  # the end record came after the space was back
        assert run.data.tags["bpfpads.incomplete"] == "true"
        problems = run.data.tags["bpfpads.spool_problems"]
        assert "missing from the spool journal" in problems, problems
        # What was spooled on both sides of the full disk is there, with a hole between.
        steps = sorted(m.step for m in client.get_metric_history(run.info.run_id,
                                                                 "system/process_memory_rss_megabytes"))
        assert steps[0] == 0 and steps == sorted(set(steps)), steps
        holes = [b - a - 1 for a, b in zip(steps, steps[1:]) if b - a > 1]
        assert len(holes) == 1 and holes[0] >= 5, steps
        assert steps[-1] - steps[0] + 1 - holes[0] == len(steps)
        assert "bpfpads/cpu_seconds" in run.data.metrics  # the totals, logged at the end
        assert run.data.tags["bpfpads.exit_code"] == "0"
    finally:
        srv.kill()


@pytest.mark.parametrize("uri,message", [
    ("http:///nohost", "tracking URI has no host"),
    ("ftp://127.0.0.1/x", "http(s)://host[:port] (an MLflow tracking server)"),
    ("unreachable", "cannot reach the MLflow tracking server"),
])
def test_bad_server_stops_bpfpads_before_the_job(require_root, run_bpfpads, workdir, tmp_path, uri, message):
    if uri == "unreachable":
        uri = f"http://{HOST}:{free_port()}"
    marker = workdir / "job-ran"
    res = run_bpfpads(["run", "--tracking-uri", uri, "--", "touch", str(marker)],
                      env={"BPFPADS_SPOOL_DIR": str(tmp_path / "spool")})
    assert res.returncode == 2, res.stderr
    assert message in res.stderr, res.stderr
    assert not marker.exists()
    assert not list((tmp_path / "spool").glob("*.journal"))  # nothing spooled either


def test_concurrent_bpfpads_runs_to_one_server(require_root, bpfpads_bin, testprogs, tmp_path):
    """The issue's 50 concurrent runs from separate bpfpads processes: each a real
    `bpfpads run` of tests/testprogs/hooked (BPF loaded, hooks attached, values captured
    in the kernel) shipping through one spool folder to one server; every run complete
    and exact, none mixed."""
    from conftest import SOURCE_DIR, history
    n = 50
    srv = MlflowServer(tmp_path / "srv").start()
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
        env["BPFPADS_SPOOL_DIR"] = str(tmp_path / "spool")
        mapping = SOURCE_DIR / "tests" / "data" / "mappings" / "hooked_test.yaml"
        testlib = testprogs.parent / "tests" / "testlibs" / "libbpfpads_testlib.so"
        jobs = []
        for k in range(1, n + 1):
            cwd = tmp_path / f"job{k}"
            cwd.mkdir()
            jobs.append(subprocess.Popen(
                [str(bpfpads_bin), "run", "--tracking-uri", srv.uri, "--offline-ok", "--experiment",
                 "concurrent-runs", "--tag", f"label={k}", "--no-default-mappings", "--mapping", str(mapping), "--",
                 str(testprogs / "hooked"), str(testlib)],
                cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        for p in jobs:
            stdout, stderr = p.communicate(timeout=600)
            assert p.returncode == 0, stderr
            assert "add=42" in stdout
        # 50 starts at once can keep a 2-core server busy past the 10 s start check:
        # such a run is spooled (--offline-ok) and whatever is left is shipped here.
        sync = subprocess.run([str(bpfpads_bin), "sync", "--spool-dir", str(tmp_path / "spool"), "--max-wait", "300"],
                              env=env, capture_output=True, text=True, timeout=400)
        assert sync.returncode == 0, sync.stdout + sync.stderr
        client = mlflow_client(srv.uri)
        exp = client.get_experiment_by_name("concurrent-runs")
        runs = client.search_runs([exp.experiment_id], max_results=1000)
        assert sorted(int(r.data.tags["label"]) for r in runs) == list(range(1, n + 1))
        for r in runs:
            assert r.info.status == "FINISHED"
            assert {k: v for k, v in r.data.params.items()} == {"eta": "0.3", "max_depth": "6", "nthread": "2"}
            assert history(client, r, "train-rmse") == [(0, 1.0), (1, 0.5), (2, 0.3333), (3, 0.25), (4, 0.2)]
            assert history(client, r, "usdt_remaining") == [(i, 100.0 - i) for i in range(5)]
            assert "bpfpads.incomplete" not in r.data.tags
        assert not list((tmp_path / "spool").glob("*.journal"))  # everything shipped
    finally:
        srv.kill()
