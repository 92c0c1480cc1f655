#!/usr/bin/env python3
"""Benchmark (not a test) of the REST store's spool sender, through tests/tools/rest_writer.

1. Throughput: metric points shipped per second to a local `mlflow server` (SQLite backend).
2. Job wall time with the server answering at once vs. through a loopback proxy that sleeps
   200 ms before forwarding each request: the ratio should be ~1, since the job's thread only
   appends to the spool and the sender thread does the network.

    python3 bench/rest_throughput.py [--writer build/tests/tools/rest_writer] [--compare OTHER_BUILD/rest_writer]
                                     [--mlflow /tmp/mlvenv/bin/mlflow]
"""
import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parents[1]


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(mlflow, root):
    port = free_port()
    log = open(root / "server.log", "wb")
    proc = subprocess.Popen([mlflow, "server", "--host", HOST, "--port", str(port),
                             "--backend-store-uri", f"sqlite:///{root}/mlflow.db",
                             "--artifacts-destination", str(root / "artifacts")],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=root)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/health", timeout=2):
                return proc, port
        except OSError:
            time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGKILL)
    sys.exit("mlflow server did not start")


def start_latency_proxy(target_port, delay_s):
    """Sleeps `delay_s`, then forwards the request to the server and relays its answer."""

    class Proxy(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self):
            time.sleep(delay_s)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
            conn = http.client.HTTPConnection(HOST, target_port, timeout=120)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "content-length")}
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            conn.close()

        do_GET = do_POST = do_PUT = _forward

        def log_message(self, *a):
            pass

    httpd = ThreadingHTTPServer((HOST, 0), Proxy)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, httpd.server_address[1]


def writer(path, uri, spool, *args):
    p = subprocess.run([str(path), "--uri", uri, "--spool", str(spool), *map(str, args)],
                       capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        sys.exit(f"rest_writer failed: {p.stderr}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def measure(path, name, direct, proxy_uri, tmp, repeats, points):
    """Every case with one rest_writer build; prints its lines, returns its numbers."""
    out = {}
    writer(path, direct, tmp / "spool", "--experiment", "warmup", "--points", 10)
    # 1. Throughput, as fast as the sender can ship: 1000-point log_batch calls (one
    # journal record each), and 10-point calls, which the sender joins into requests.
    for batch, n in ((1000, points), (10, points // 4)):
        rates = []
        for i in range(repeats):
            o = writer(path, direct, tmp / "spool", "--experiment", f"throughput{batch}", "--label", i,
                       "--points", n, "--batch", batch, "--drain-s", 300)
            assert o["flush_ok"], o
            rates.append(n / o["total_s"])
        out[f"rate{batch}"] = sorted(rates)[len(rates) // 2]
        print(f"[{name}] throughput: {out[f'rate{batch}']:.0f} metric points/s shipped "
              f"(median of {repeats} runs of {n} points, {batch} per log_batch call; mlflow server, SQLite)")
    # 2. A job that logs 50 points every 50 ms for ~2 s: wall time with 0 vs 200 ms latency.
    job = ("--points", 2000, "--batch", 50, "--interval-ms", 50, "--drain-s", 300)
    for lat, uri in (("0 ms", direct), ("200 ms", proxy_uri)):
        outs = [writer(path, uri, tmp / "spool", "--experiment", "latency", "--label", k, *job)
                for k in range(repeats)]
        assert all(o["flush_ok"] for o in outs)
        setup = sorted(o["setup_s"] for o in outs)[len(outs) // 2]
        out[lat] = (sorted(o["job_s"] for o in outs)[len(outs) // 2],
                    sorted(o["total_s"] - o["job_s"] for o in outs)[len(outs) // 2])
        print(f"[{name}] latency {lat:>6}: job wall {out[lat][0]:.2f} s (create_run .. update_run), "
              f"drain after the job {out[lat][1]:.2f} s, pre-job server checks {setup:.2f} s")
    print(f"[{name}] job wall ratio 200 ms / 0 ms: {out['200 ms'][0] / out['0 ms'][0]:.2f}")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--writer", default=str(ROOT / "build/tests/tools/rest_writer"))
    ap.add_argument("--compare", help="another rest_writer build (e.g. of main) to run the same cases with")
    ap.add_argument("--mlflow", default=shutil.which("mlflow") or "/tmp/mlvenv/bin/mlflow")
    ap.add_argument("--points", type=int, default=20000)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bpfpads_bench_"))
    proc, port = start_server(a.mlflow, tmp)
    proxy, pport = start_latency_proxy(port, 0.2)
    try:
        args = (f"http://{HOST}:{port}", f"http://{HOST}:{pport}", tmp, a.repeats, a.points)
        this = measure(a.writer, "this", *args)
        if a.compare:
            other = measure(a.compare, "compare", *args)
            for k in ("rate1000", "rate10"):
                print(f"{k} this / compare: {this[k] / other[k]:.2f}")
            print(f"drain after the job at 200 ms, this / compare: {this['200 ms'][1] / other['200 ms'][1]:.2f}")
    finally:
        proxy.shutdown()
        os.killpg(proc.pid, signal.SIGKILL)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
