"""Targets and values that bpfpads refuses with a reason before loading anything."""
import os
import subprocess

import pytest


@pytest.mark.parametrize("pid, reason", [
    ("1", "PID 1 is the system's init"),
    ("2", "kernel thread"),  # kthreadd
])
def test_attach_refuses_init_and_kernel_threads(require_root, run_bpfpads, pid, reason):
    res = run_bpfpads(["attach", "--pid", pid], check_returncode=2)
    assert f"--pid {pid}" in res.stderr and reason in res.stderr and "--force" in res.stderr


def test_attach_refuses_its_own_ancestor(require_root, bpfpads_bin, workdir):
    # A shell that attaches bpfpads to itself: the run could never end.
    proc = subprocess.run(["sh", "-c", f'exec "$0" attach --pid $$', str(bpfpads_bin)], cwd=workdir,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "this is bpfpads itself" in proc.stderr
    proc = subprocess.run(["sh", "-c", f'"$0" attach --pid $$; exit $?', str(bpfpads_bin)], cwd=workdir,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "an ancestor of bpfpads" in proc.stderr
    assert not (workdir / "mlflow.db").exists()


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-1", "0"])
def test_impossible_intervals_are_refused(run_bpfpads, value):
    res = run_bpfpads(["run", "--interval", value, "--", "true"])
    assert res.returncode != 0 and "--interval" in res.stderr


def test_impossible_hook_rates_are_refused(run_bpfpads):
    res = run_bpfpads(["run", "--max-hook-rate", "nan", "--", "true"])
    assert res.returncode == 2 and "--max-hook-rate" in res.stderr
