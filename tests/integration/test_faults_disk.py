"""The store's disk fills up while the job runs: the job is unaffected, the terminal
says the status the store really holds (not FINISHED over a run left RUNNING), counts
the failed writes, and `bpfpads repair` ends the run once there is room again."""
import sqlite3
import subprocess
import uuid
from pathlib import Path

import pytest

from conftest import mlflow_client, only_run


@pytest.fixture
def small_disk():
    where = Path(f"/tmp/bpfpads-full-{uuid.uuid4().hex[:8]}")
    where.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2M", "tmpfs", str(where)], check=True)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)])
        where.rmdir()


def test_a_full_disk_is_reported_as_it_is(require_root, bpfpads_bin, run_bpfpads, small_disk):
    fill = small_disk / "fill"
    proc = subprocess.run([str(bpfpads_bin), "run", "--interval", "0.1", "--", "sh", "-c",
                           f"sleep 0.5; dd if=/dev/zero of={fill} bs=64k 2>/dev/null; sleep 1; exit 0"],
                          cwd=small_disk, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr  # the job's own status
    db = sqlite3.connect(small_disk / "mlflow.db")
    status = db.execute("select status from runs").fetchone()[0]
    db.close()
    if status == "RUNNING":
        assert "RUNNING in the store" in proc.stderr and "FINISHED" not in proc.stderr
        assert "writes to the store failed in this run" in proc.stderr
    else:  # the end found room after all
        assert status == "FINISHED" and " FINISHED after " in proc.stderr
    fill.unlink()
    res = run_bpfpads(["repair"], cwd=small_disk, check_returncode=0)
    run = only_run(mlflow_client(f"sqlite:///{small_disk}/mlflow.db"))
    assert run.info.status in ("KILLED", "FINISHED"), res.stdout + res.stderr
    if run.info.status == "KILLED":
        assert run.data.tags["bpfpads.incomplete"] == "true"
