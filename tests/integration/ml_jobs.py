"""The workloads of test_xgboost.py and test_lightgbm.py run two ways: under bpfpads
with the shipped mappings, and in-process with MLflow autolog."""
import functools
import os
import subprocess
import sys

from conftest import SOURCE_DIR, history, mlflow_client, only_run

PY = os.environ.get("BPFPADS_ML_PYTHON", sys.executable)
WORKLOADS = SOURCE_DIR / "tests" / "integration" / "workloads"


def tracked_job(run_bpfpads, workdir, *args, job, returncode=0):
    """`bpfpads run -- python JOB ARGS`: the client, the run and bpfpads' result."""
    res = run_bpfpads(["run", "--", PY, str(job), *args], check_returncode=returncode, timeout=300)
    client = mlflow_client(f"sqlite:///{workdir}/mlflow.db")
    return client, only_run(client), res


def autologged_job(workdir, *args, job):
    """The same job with `--autolog URI` (mlflow.<lib>.autolog in the process)."""
    uri = f"sqlite:///{workdir}/autolog.db"
    out = subprocess.run([PY, str(job), *args, "--autolog", uri], cwd=workdir, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    client = mlflow_client(uri)
    return client, only_run(client)


def job_runners(job):
    """tracked(run_bpfpads, workdir, *args) and autologged(workdir, *args) for one workload."""
    return functools.partial(tracked_job, job=job), functools.partial(autologged_job, job=job)


def metric_histories(client, run, prefix_filter=lambda k: "/" not in k):
    return {k: history(client, run, k) for k in run.data.metrics if prefix_filter(k)}
