"""XGBoost 1.7.4 from Debian's packages (python3-xgboost, libxgboost0) under the shipped
mappings/xgboost.yaml: Debian's soname (libxgboost.so.0) does not carry the version, so
bpfpads takes it from the package that installed the library. Differences from the
PyPI 3.x wheels are listed in docs/parity.md."""
import json
import os
import subprocess

import pytest

from conftest import SOURCE_DIR, history, mlflow_client, only_run

JOB = SOURCE_DIR / "tests" / "integration" / "workloads" / "xgb_job.py"
DEBIAN_PYTHON = "/usr/bin/python3"  # Debian's interpreter, with Debian's xgboost


@pytest.fixture
def debian_xgboost():
    probe = subprocess.run([DEBIAN_PYTHON, "-c", "import xgboost; print(xgboost.__version__)"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        if os.environ.get("BPFPADS_REQUIRE_ROOT") == "1" or os.environ.get("CI"):
            pytest.fail("Debian's python3-xgboost is missing: scripts/install-deps.sh installs it")
        pytest.skip("Debian's python3-xgboost is not installed")
    return probe.stdout.strip()


def tracked(run_bpfpads, workdir, mode):
    res = run_bpfpads(["run", "--", DEBIAN_PYTHON, str(JOB), mode], check_returncode=0, timeout=300)
    client = mlflow_client(f"sqlite:///{workdir}/mlflow.db")
    return client, only_run(client), res.job_json()


def test_debian_xgboost_train(require_root, debian_xgboost, run_bpfpads, workdir):
    assert debian_xgboost == "1.7.4"
    client, run, job = tracked(run_bpfpads, workdir, "train")
    uses = {u["file"]: u for u in json.loads(run.data.tags["bpfpads.mappings"])}
    assert uses["xgboost.yaml"]["status"] == "active"
    assert uses["xgboost.yaml"]["library_version"] == "1.7.4"  # from dpkg, not from libxgboost.so.0
    assert run.data.tags["xgboost.version"] == "1.7.4"
    # 1.7's xgb.train returns a copy of the trained booster; the copy's constructor sets
    # validate_parameters again, on a booster of its own (booster_1).
    assert run.data.params == {"objective": "binary:logistic", "max_depth": "3", "eta": "0.3",
                               "eval_metric": "logloss", "eval_metric.1": "auc", "seed": "7", "nthread": "2",
                               "validate_parameters": "True", "booster_1/validate_parameters": "True"}
    for ev in ("train", "eval"):
        for metric in ("logloss", "auc"):
            assert history(client, run, f"{ev}-{metric}") == list(enumerate(job["evals_result"][ev][metric]))
    shapes = sorted(json.loads(d.dataset.profile)["num_rows"] for d in run.inputs.dataset_inputs)
    assert shapes == [150, 450]
    local = client.download_artifacts(run.info.run_id, "outputs/model.json", str(workdir / "dl"))
    assert open(local, "rb").read() == (workdir / "model.json").read_bytes()


def test_debian_xgboost_freed_booster_address_reused(require_root, debian_xgboost, run_bpfpads, workdir):
    # The first booster is freed after its copy is made, and the second one is created at
    # the freed address: without XGBoosterFree ending the scope, its params and metrics
    # would be logged as the first booster's.
    client, run, job = tracked(run_bpfpads, workdir, "multi")
    assert run.data.params["max_depth"] == "2"
    second = [k.split("/")[0] for k, v in run.data.params.items() if k.endswith("/max_depth")]
    assert len(second) == 1 and run.data.params[f"{second[0]}/max_depth"] == "5"
    assert "max_depth.1" not in run.data.params
    assert history(client, run, "train-logloss") == list(enumerate(job["evals_result"][0]["train"]["logloss"]))
    assert history(client, run, f"{second[0]}/train-logloss") == list(
        enumerate(job["evals_result"][1]["train"]["logloss"]))
