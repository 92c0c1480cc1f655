"""The REST store against a real `mlflow server` on loopback, driven through
tests/tools/rest_writer (no root): normal run, server killed and restarted mid-run,
server down for the whole run then `sync`, a damaged spool, concurrent writers, and the
errors that must stop a job before it starts. The server cases run twice: with the
server's default SQLite backend and with a PostgreSQL cluster the test starts itself."""
import json
import os
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import SOURCE_DIR, mlflow_client
from mlflow_servers import HOST, MlflowServer, PostgresCluster, free_port


def _writer_path():
    if os.environ.get("BPFPADS_REST_WRITER"):
        return Path(os.environ["BPFPADS_REST_WRITER"])
    for c in ("build-rest/tests/tools/rest_writer", "build/tests/tools/rest_writer"):
        if (SOURCE_DIR / c).exists():
            return SOURCE_DIR / c
    pytest.fail("BPFPADS_REST_WRITER is not set and no built rest_writer was found")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backend(request):
    """Makes the backend-store URI of a fresh, empty database for one mlflow server."""
    if request.param == "sqlite":
        yield lambda root: f"sqlite:///{root}/mlflow.db"
        return
    cluster = PostgresCluster().start()
    try:
        yield lambda root: cluster.new_database()
    finally:
        cluster.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, backend):
    s = MlflowServer(tmp_path_factory.mktemp("mlflow"), backend=backend).start()
    yield s
    s.kill()


@pytest.fixture
def spool(tmp_path):
    d = tmp_path / "spool"
    d.mkdir()
    return d


def run_writer(*args, env=None, timeout=180, check=True):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_TRACKING_")}
    full_env.update(env or {})
    proc = subprocess.run([str(_writer_path()), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=full_env)
    if check:
        assert proc.returncode == 0, f"rest_writer {args} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    return proc


def out_json(proc):
    return json.loads(proc.stdout.strip().splitlines()[-1])


def runs_of(client, experiment):
    exp = client.get_experiment_by_name(experiment)
    assert exp is not None, f"experiment {experiment} missing"
    return client.search_runs([exp.experiment_id], max_results=1000)


def assert_complete(client, run, label, points, params=3):
    assert run.info.status == "FINISHED"
    assert run.data.tags["label"] == str(label)
    assert run.data.params == {f"p{i}": f"v{i}-{label}" for i in range(params)}
    hist = sorted((m.step, m.value) for m in client.get_metric_history(run.info.run_id, "m"))
    assert hist == [(s, label * 1e6 + s) for s in range(points)]
    special = [m.value for m in sorted(client.get_metric_history(run.info.run_id, "special"), key=lambda m: m.step)]
    assert special[0] != special[0] and special[1] > 1e300 and special[2] < -1e300
    assert [f.path for f in client.list_artifacts(run.info.run_id)] == ["hello.txt"]
    assert [d.dataset.name for d in run.inputs.dataset_inputs] == ["train"]
    assert "bpfpads.incomplete" not in run.data.tags


def test_normal_run(server, spool):
    # 150 params and 2500 points: split into requests within the server's limits.
    out = out_json(run_writer("--uri", server.uri, "--spool", spool, "--experiment", "normal",
                              "--label", 3, "--points", 2500, "--batch", 1200, "--params", 150, "--drain-s", 90))
    assert out["flush_ok"], out
    client = mlflow_client(server.uri)
    [run] = runs_of(client, "normal")
    assert run.info.run_id == out["remote_run_id"]
    assert run.data.tags["bpfpads.local_run_id"] == out["local_run_id"]
    assert out["run_url"].endswith(f"/runs/{run.info.run_id}")
    assert_complete(client, run, 3, 2500, params=150)
    path = client.download_artifacts(run.info.run_id, "hello.txt", str(spool.parent))
    assert Path(path).read_text() == "hello 3\n"
    assert list(spool.iterdir()) == []  # sent: nothing left in the spool


def test_server_killed_mid_run_and_restarted(tmp_path, spool, backend):
    srv = MlflowServer(tmp_path / "srv", backend=backend).start()
    try:
        writer = subprocess.Popen(
            [str(_writer_path()), "--uri", srv.uri, "--spool", str(spool), "--experiment", "restart",
             "--label", "5", "--points", "300", "--batch", "10", "--interval-ms", "100", "--drain-s", "150"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 90
        while b"runs/log-batch" not in (srv.root / "server.log").read_bytes():
            assert time.monotonic() < deadline and writer.poll() is None, "the writer never started its run"
            time.sleep(0.1)
        srv.kill()  # mid-run: requests in flight die with it
        time.sleep(2.0)
        srv.start()
        stdout, stderr = writer.communicate(timeout=240)
        assert writer.returncode == 0, stderr
        out = json.loads(stdout.strip().splitlines()[-1])
        assert out["flush_ok"], (out, stderr)
        client = mlflow_client(srv.uri)
        [run] = runs_of(client, "restart")  # exactly one run: no duplicate from a resent create
        assert_complete(client, run, 5, 300)
    finally:
        srv.kill()


def _corrupt_line(journal, line_no):
    lines = journal.read_bytes().split(b"\n")
    bad = bytearray(lines[line_no - 1])
    bad[12] ^= 0x20
    lines[line_no - 1] = bytes(bad)
    journal.write_bytes(b"\n".join(lines))


def test_server_down_whole_run_then_sync(tmp_path, spool, backend):
    port = free_port()
    uri = f"http://{HOST}:{port}"
    # Without --offline-ok: an error before anything is written.
    refused = run_writer("--uri", uri, "--spool", spool, check=False)
    assert refused.returncode == 1
    assert "cannot reach the MLflow tracking server" in refused.stderr and "--offline-ok" in refused.stderr
    outs = []
    for label in (1, 2):
        proc = run_writer("--uri", uri, "--spool", spool, "--experiment", "offline", "--label", label,
                          "--points", 100, "--batch", 10, "--drain-s", 1, "--offline-ok")
        assert "offline-ok" in proc.stderr
        out = out_json(proc)
        assert not out["flush_ok"] and "bpfpads sync" in out["flush_error"]
        assert out["remote_run_id"] is None
        outs.append(out)
    # Run 2's journal gets a damaged line: the 4th metric batch (steps 30..39).
    # Lines: 1 run, 2 params, 3 special, 4.. metric batches of 10.
    _corrupt_line(spool / f"{outs[1]['local_run_id']}.journal", 7)
    # Sync with the server still down: nothing lost, exit 1.
    down = run_writer("--sync", "--spool", spool, "--max-wait-s", 1, check=False)
    assert down.returncode == 1, down.stdout + down.stderr
    assert len(list(spool.glob("*.journal"))) == 2
    srv = MlflowServer(tmp_path / "srv", port=port, backend=backend).start()
    try:
        synced = run_writer("--sync", "--spool", spool, "--max-wait-s", 60)
        assert "2 run(s) sent, 0 left" in synced.stdout, synced.stdout
        assert "damaged" in synced.stdout
        assert list(spool.glob("*.journal")) == []
        # The backlog goes in joined requests: run 1's 12 batch records in one, run 2's 11
        # in two (split at the damaged one), and run 2's problem tags (24 one by one).
        assert (srv.root / "server.log").read_text().count("/runs/log-batch HTTP") == 4
        client = mlflow_client(uri)
        runs = {r.data.tags["label"]: r for r in runs_of(client, "offline")}
        assert sorted(runs) == ["1", "2"]
        assert_complete(client, runs["1"], 1, 100)
        r2 = runs["2"]
        assert r2.info.status == "FINISHED"
        assert r2.data.tags["bpfpads.incomplete"] == "true"
        assert "damaged" in r2.data.tags["bpfpads.spool_problems"]
        steps = sorted(m.step for m in client.get_metric_history(r2.info.run_id, "m"))
        assert steps == [s for s in range(100) if not 30 <= s < 40]
        # A second sync finds nothing and creates nothing.
        again = run_writer("--sync", "--spool", spool)
        assert "0 run(s) sent, 0 left" in again.stdout
        assert len(runs_of(client, "offline")) == 2
    finally:
        srv.kill()


def test_concurrent_writers(server, spool):
    n = 50  # the issue: 50 concurrent runs from separate processes
    procs = [subprocess.Popen([str(_writer_path()), "--uri", server.uri, "--spool", str(spool),
                               "--experiment", "concurrent", "--label", str(k), "--points", "200",
                               "--batch", "20", "--interval-ms", "20", "--drain-s", "120"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for k in range(1, n + 1)]
    outs = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=300)
        assert p.returncode == 0, stderr
        outs.append(json.loads(stdout.strip().splitlines()[-1]))
    assert all(o["flush_ok"] for o in outs), [o["flush_error"] for o in outs if not o["flush_ok"]]
    client = mlflow_client(server.uri)
    runs = runs_of(client, "concurrent")
    assert len(runs) == n
    assert sorted(int(r.data.tags["label"]) for r in runs) == list(range(1, n + 1))
    for r in runs:
        assert_complete(client, r, int(r.data.tags["label"]), 200)  # none mixed


class _FakeServer:
    """A stand-in tracking server on loopback that answers with fixed replies."""

    def __init__(self, routes):
        routes_ = routes

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                status, body = routes_.get(self.path.split("?")[0], (404, '{"error_code":"ENDPOINT_NOT_FOUND","message":"no"}'))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *a):
                pass

        self.httpd = ThreadingHTTPServer((HOST, 0), Handler)
        self.uri = f"http://{HOST}:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_bad_input_fails_before_the_job(spool):
    for uri in ("http://", "http:///nohost", "http://127.0.0.1:99999"):
        p = run_writer("--uri", uri, "--spool", spool, check=False)
        assert p.returncode == 1 and "tracking URI" in p.stderr, (uri, p.stderr)
    p = run_writer("--uri", "https://127.0.0.1:1", "--spool", spool, check=False,
                   env={"MLFLOW_TRACKING_INSECURE_TLS": "true", "MLFLOW_TRACKING_SERVER_CERT_PATH": "/x.pem"})
    assert p.returncode == 1 and "cannot both be set" in p.stderr

    auth = _FakeServer({"/version": (401, '{"error_code":"UNAUTHENTICATED","message":"You are not authenticated"}'),
                        "/api/2.0/mlflow/experiments/get-by-name":
                            (401, '{"error_code":"UNAUTHENTICATED","message":"You are not authenticated"}')})
    old = _FakeServer({"/version": (200, "1.30.0")})
    try:
        p = run_writer("--uri", auth.uri, "--spool", spool, check=False,
                       env={"MLFLOW_TRACKING_USERNAME": "u", "MLFLOW_TRACKING_PASSWORD": "wrong"})
        assert p.returncode == 1
        assert "UNAUTHENTICATED: You are not authenticated" in p.stderr and "MLFLOW_TRACKING_USERNAME" in p.stderr
        p = run_writer("--uri", old.uri, "--spool", spool, check=False)
        assert p.returncode == 1 and "1.30.0 is not supported" in p.stderr
        # With --offline-ok the same server gives a warning and a spooled run.
        p = run_writer("--uri", old.uri, "--spool", spool, "--offline-ok", "--drain-s", 0.5, "--points", 5)
        assert "1.30.0 is not supported" in p.stderr and "offline-ok" in p.stderr
        assert len(list(spool.glob("*.journal"))) == 1
    finally:
        auth.close()
        old.close()
