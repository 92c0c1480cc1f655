"""An `mlflow server` on loopback for the REST store tests, on a SQLite file or on a
throwaway PostgreSQL cluster that the tests start themselves."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

HOST = "127.0.0.1"


def _mlflow_bin():
    for c in (os.environ.get("MLFLOW_BIN"), str(Path(sys.executable).parent / "mlflow"), shutil.which("mlflow")):
        if c and Path(c).exists():
            return c
    pytest.skip("no mlflow executable (needs the full mlflow package with `mlflow server`)")


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _pg_bin_dir():
    """Debian keeps the server tools (initdb, pg_ctl) off PATH, per major version."""
    dirs = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if dirs:
        return dirs[-1].parent
    if shutil.which("initdb") and shutil.which("pg_ctl"):
        return Path(shutil.which("initdb")).parent
    if os.environ.get("CI") or os.environ.get("BPFPADS_REQUIRE_ROOT") == "1":
        pytest.fail("PostgreSQL is not installed (scripts/install-deps.sh installs Debian's postgresql)")
    pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")


class PostgresCluster:
    """A throwaway PostgreSQL cluster on a loopback port, owned by an unprivileged user
    when we are root (postgres refuses to run as root), trust auth on loopback only."""

    def __init__(self):
        self.bin = _pg_bin_dir()
        try:
            import psycopg  # noqa: F401  (SQLAlchemy's driver for postgresql:// URIs)
        except ImportError:
            pytest.fail("psycopg is missing from the test venv (tests/requirements.txt has psycopg[binary])")
        # Not under pytest's tmp_path: its parents are 0700 root, the postgres user cannot enter.
        self.root = Path(tempfile.mkdtemp(prefix="bpfpads-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.user = None
        if os.geteuid() == 0:
            import pwd
            for name in ("postgres", "nobody"):
                try:
                    self.user = pwd.getpwnam(name)
                    break
                except KeyError:
                    pass
            assert self.user is not None, "no unprivileged user (postgres, nobody) to run PostgreSQL as"
            os.chown(self.root, self.user.pw_uid, self.user.pw_gid)
        self.databases = 0

    def _run(self, tool, *args):
        cmd = [str(self.bin / tool), *map(str, args)]
        if self.user is not None:
            cmd = ["runuser", "-u", self.user.pw_name, "--", *cmd]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=self.root)
        assert proc.returncode == 0, f"{tool} {args} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"

    def start(self):
        self._run("initdb", "-D", self.data, "-U", "mlflow", "--auth=trust", "-E", "UTF8", "--no-sync")
        # fsync off: a test database, thrown away; unix sockets in our own dir, not /run.
        self._run("pg_ctl", "-D", self.data, "-l", self.root / "pg.log", "-w", "-t", "60", "-o",
                  f"-p {self.port} -c listen_addresses={HOST} -k {self.root} -c fsync=off "
                  "-c max_connections=300", "start")
        return self

    def new_database(self):
        self.databases += 1
        name = f"mlflow{self.databases}"
        self._run("createdb", "-h", HOST, "-p", self.port, "-U", "mlflow", name)
        return f"postgresql://mlflow@{HOST}:{self.port}/{name}"

    def stop(self):
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


class MlflowServer:
    """`mlflow server` on a backend store (SQLite file by default), in its own process group."""

    def __init__(self, root, port=None, backend=None):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.uri = f"http://{HOST}:{self.port}"
        self.backend_uri = backend(self.root) if backend else f"sqlite:///{self.root}/mlflow.db"
        self.proc = None

    def start(self, timeout=120):
        log = open(self.root / "server.log", "ab")
        self.proc = subprocess.Popen(
            [_mlflow_bin(), "server", "--host", HOST, "--port", str(self.port),
             "--backend-store-uri", self.backend_uri,
             "--artifacts-destination", str(self.root / "artifacts")],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=self.root)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"mlflow server exited: {(self.root / 'server.log').read_text()[-2000:]}")
            try:
                with socket.create_connection((HOST, self.port), timeout=1):
                    pass
                with urllib.request.urlopen(self.uri + "/health", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.3)
        self.kill()
        raise AssertionError("mlflow server did not come up in time")

    def kill(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
        self.proc = None
