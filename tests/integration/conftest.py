"""Shared fixtures for the integration tests: the bpfpads binary, root checks, and
reading runs back through the real MLflow client."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SOURCE_DIR = Path(os.environ.get("BPFPADS_SOURCE_DIR", Path(__file__).resolve().parents[2]))


def _find_build_file(env_name, *candidates):
    if os.environ.get(env_name):
        return Path(os.environ[env_name])
    for c in candidates:
        p = SOURCE_DIR / c
        if p.exists():
            return p
    pytest.fail(f"{env_name} is not set and none of {candidates} exists: build the project first")


@pytest.fixture(scope="session")
def bpfpads_bin():
    return _find_build_file("BPFPADS_BIN", "build/cli/bpfpads")


@pytest.fixture(scope="session")
def testprogs():
    return _find_build_file("BPFPADS_TESTPROGS", "build/testprogs")


@pytest.fixture
def require_root():
    """Root tests fail (never skip) in CI, where BPFPADS_REQUIRE_ROOT=1."""
    if os.geteuid() != 0:
        if os.environ.get("BPFPADS_REQUIRE_ROOT") == "1" or os.environ.get("CI"):
            pytest.fail("this test needs root (real BPF programs); CI runs it as root")
        pytest.skip("needs root: real BPF programs are loaded")


@pytest.fixture
def workdir(tmp_path):
    d = tmp_path / "job"
    d.mkdir()
    return d


class BpfpadsResult:
    def __init__(self, proc, workdir):
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.workdir = workdir

    def job_json(self):
        """The last JSON line the workload printed on stdout."""
        for line in reversed(self.stdout.splitlines()):
            line = line.strip()
            if line.startswith("{"):
                return json.loads(line)
        raise AssertionError(f"no JSON line in stdout:\n{self.stdout}\nstderr:\n{self.stderr}")


@pytest.fixture
def run_bpfpads(bpfpads_bin, workdir):
    def run(args, cwd=None, env=None, timeout=120, check_returncode=None):
        full_env = dict(os.environ)
        full_env.pop("MLFLOW_TRACKING_URI", None)
        full_env.pop("MLFLOW_EXPERIMENT_NAME", None)
        full_env.update(env or {})
        proc = subprocess.run([str(bpfpads_bin), *args], cwd=cwd or workdir, env=full_env,
                              capture_output=True, text=True, timeout=timeout)
        if check_returncode is not None:
            assert proc.returncode == check_returncode, (
                f"bpfpads exited {proc.returncode}, expected {check_returncode}\n"
                f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
        return BpfpadsResult(proc, cwd or workdir)
    return run


def mlflow_client(tracking_uri):
    os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    import mlflow
    return mlflow.MlflowClient(tracking_uri=tracking_uri)


def only_run(client, experiment_name="Default"):
    exp = client.get_experiment_by_name(experiment_name)
    assert exp is not None, f"experiment {experiment_name!r} missing"
    runs = client.search_runs([exp.experiment_id])
    assert len(runs) == 1, f"expected one run, found {len(runs)}"
    return runs[0]


def history(client, run, key):
    return [(m.step, m.value) for m in client.get_metric_history(run.info.run_id, key)]


def assert_cv_folds(client, run, key, means, folds=3):
    """Cross-validation as one run: fold 0's history under `key`, fold k's under
    booster_<k>/`key`; per step their mean is the library's own cv mean."""
    import statistics
    histories = [history(client, run, key)] + [history(client, run, f"booster_{k}/{key}") for k in range(1, folds)]
    assert [len(h) for h in histories] == [len(means)] * folds
    for step, want in enumerate(means):
        assert statistics.fmean(h[step][1] for h in histories) == pytest.approx(want, rel=1e-12)
    assert f"booster_{folds}/{key}" not in run.data.metrics


def final(client, run, key):
    points = client.get_metric_history(run.info.run_id, key)
    assert points, f"metric {key} missing; have {sorted(run.data.metrics)}"
    return points[-1].value
