"""XGBoost tracked from outside with the shipped mappings/xgboost.yaml, checked against
what the library itself reports and against mlflow.xgboost.autolog (docs/parity.md)."""
import json
import subprocess
from pathlib import Path

from conftest import SOURCE_DIR, assert_cv_folds, final, history, mlflow_client, only_run
from ml_jobs import PY, WORKLOADS, job_runners, metric_histories

JOB = WORKLOADS / "xgb_job.py"
tracked, autologged = job_runners(JOB)
import xgboost as xgb  # noqa: E402  (the venv of tests/requirements.txt)
XGB_DIR = Path(xgb.__file__).parent
# A list value (eval_metric) is one XGBoosterSetParam call per item: the second is
# versioned by the sink (params are immutable in MLflow).
TRAIN_PARAMS = {"objective": "binary:logistic", "max_depth": "3", "eta": "0.3", "eval_metric": "logloss",
                "eval_metric.1": "auc", "seed": "7", "nthread": "2", "validate_parameters": "True"}


def test_train_params_metrics_inputs_model_version(require_root, run_bpfpads, workdir):
    client, run, res = tracked(run_bpfpads, workdir, "train")
    job = res.job_json()
    assert run.info.status == "FINISHED"
    assert {k: v for k, v in run.data.params.items()} == TRAIN_PARAMS
    for ev in ("train", "eval"):
        for metric in ("logloss", "auc"):
            # 17 significant digits in the eval string: the library's doubles, exactly.
            assert history(client, run, f"{ev}-{metric}") == list(enumerate(job["evals_result"][ev][metric]))
    assert run.data.tags["xgboost.version"] == job["version"] == "3.2.0"
    uses = {u["file"]: u for u in json.loads(run.data.tags["bpfpads.mappings"])}
    assert uses["xgboost.yaml"]["status"] == "active" and uses["xgboost.yaml"]["library_version"] == "3.2.0"
    assert uses["lightgbm.yaml"]["status"] == "waiting for its library"  # never loaded by this job
    shapes = sorted(json.loads(d.dataset.profile)["num_rows"] for d in run.inputs.dataset_inputs)
    assert shapes == [150, 450]
    for d in run.inputs.dataset_inputs:
        assert json.loads(d.dataset.profile)["num_columns"] == 6
    local = client.download_artifacts(run.info.run_id, "outputs/model.json", str(workdir / "dl"))
    assert Path(local).read_bytes() == (workdir / "model.json").read_bytes()


def test_parity_with_autolog(require_root, run_bpfpads, workdir):
    client, run, _ = tracked(run_bpfpads, workdir, "train")
    aclient, arun = autologged(workdir, "train")
    ours, theirs = metric_histories(client, run), metric_histories(aclient, arun)
    assert ours == theirs  # same names, steps and values
    # Params both have with the same value; the differences are listed in docs/parity.md.
    common = set(run.data.params) & set(arun.data.params)
    same = {k for k in common if run.data.params[k] == arun.data.params[k]}
    assert same == {"objective", "max_depth", "eta", "seed", "nthread"}
    # A list-valued param: one XGBoosterSetParam call per item (docs/parity.md).
    assert common - same == {"eval_metric"}
    assert run.data.params["eval_metric"] == "logloss" and run.data.params["eval_metric.1"] == "auc"
    assert arun.data.params["eval_metric"] == "['logloss', 'auc']"
    assert set(arun.data.params) - set(run.data.params) == {
        "custom_metric", "early_stopping_rounds", "maximize", "num_boost_round", "verbose_eval"}


def test_sklearn_wrapper(require_root, run_bpfpads, workdir):
    client, run, res = tracked(run_bpfpads, workdir, "sklearn")
    job = res.job_json()
    assert history(client, run, "validation_0-logloss") == list(enumerate(job["evals_result"]["validation_0"]["logloss"]))
    assert run.data.params["max_depth"] == "3" and run.data.params["eval_metric"] == "logloss"
    aclient, arun = autologged(workdir, "sklearn")
    assert metric_histories(client, run) == metric_histories(aclient, arun)


def test_early_stopping_best_iteration(require_root, run_bpfpads, workdir):
    client, run, res = tracked(run_bpfpads, workdir, "early")
    job = res.job_json()
    assert final(client, run, "best_iteration") == job["best_iteration"]
    assert len(history(client, run, "eval-logloss")) == job["rounds_done"]


def test_cv_metrics_per_fold(require_root, run_bpfpads, workdir):
    client, run, res = tracked(run_bpfpads, workdir, "cv")
    job = res.job_json()
    assert_cv_folds(client, run, "train-logloss", job["cv"]["train-logloss-mean"])


def test_two_boosters_kept_apart(require_root, run_bpfpads, workdir):
    client, run, res = tracked(run_bpfpads, workdir, "multi")
    job = res.job_json()
    assert run.data.params["max_depth"] == "2" and run.data.params["booster_1/max_depth"] == "5"
    assert history(client, run, "train-logloss") == list(enumerate(job["evals_result"][0]["train"]["logloss"]))
    assert history(client, run, "booster_1/train-logloss") == list(
        enumerate(job["evals_result"][1]["train"]["logloss"]))


def test_crash_keeps_metrics_logged_so_far(require_root, run_bpfpads, workdir):
    client, run, res = tracked(run_bpfpads, workdir, "crash", returncode=134)
    assert run.info.status == "FAILED"
    assert [s for s, _ in history(client, run, "train-logloss")] == [0, 1, 2]


def test_version_outside_constraint_is_skipped_and_said(require_root, run_bpfpads, workdir):
    old = workdir / "mappings"
    old.mkdir()
    text = (SOURCE_DIR / "mappings" / "xgboost.yaml").read_text()
    (old / "xgboost.yaml").write_text(text.replace('version: ">=1.7,<3.3"', 'version: "<1.0"'))
    res = run_bpfpads(["run", "--", PY, str(JOB), "train"], env={"BPFPADS_MAPPINGS_DIR": str(old)},
                      check_returncode=0, timeout=300)
    client = mlflow_client(f"sqlite:///{workdir}/mlflow.db")
    run = only_run(client)
    uses = {u["file"]: u for u in json.loads(run.data.tags["bpfpads.mappings"])}
    assert uses["xgboost.yaml"]["status"].startswith("skipped: xgboost 3.2.0 in ")
    assert uses["xgboost.yaml"]["status"].endswith(" does not satisfy <1.0")
    assert not run.data.params and "train-logloss" not in run.data.metrics


C_PROGRAM = SOURCE_DIR / "tests" / "data" / "xgb_c_train.c"


def test_c_caller_gives_the_same_run_content(require_root, run_bpfpads, workdir):
    exe = workdir / "xgb_c_train"
    lib = XGB_DIR / "lib"
    subprocess.run(["gcc", "-O1", "-o", str(exe), str(C_PROGRAM), f"-L{lib}", "-lxgboost", f"-Wl,-rpath,{lib}"],
                   check=True)
    res = run_bpfpads(["run", "--", str(exe)], check_returncode=0, timeout=120)
    client = mlflow_client(f"sqlite:///{workdir}/mlflow.db")
    run = only_run(client)
    printed = {}
    for line in res.stdout.splitlines():  # "[i]\ttrain-rmse:..." as the library returned it
        if line.startswith("["):
            step = int(line[1:line.index("]")])
            for part in line.split("\t")[1:]:
                name, value = part.split(":")
                printed.setdefault(name, []).append((step, float(value)))
    assert printed and metric_histories(client, run) == printed
    assert run.data.params == {"objective": "reg:squarederror", "max_depth": "2", "eta": "0.5"}
    assert run.data.tags["xgboost.version"] == "3.2.0"
    profile = json.loads(run.inputs.dataset_inputs[0].dataset.profile)
    assert (profile["num_rows"], profile["num_columns"]) == (100, 3)
    assert (workdir / "c_model.json").exists()
    assert client.list_artifacts(run.info.run_id, "outputs")[0].path == "outputs/c_model.json"
