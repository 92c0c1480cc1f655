"""LightGBM tracked from outside with the shipped mappings/lightgbm.yaml, checked
against what the library itself reports and against mlflow.lightgbm.autolog."""
import json
from pathlib import Path

from conftest import assert_cv_folds, final, history
from ml_jobs import WORKLOADS, job_runners, metric_histories

JOB = WORKLOADS / "lgb_job.py"
tracked, autologged = job_runners(JOB)
TRAIN_PARAMS = {"objective": "binary", "num_leaves": "7", "learning_rate": "0.2", "seed": "7",
                "num_threads": "2", "verbose": "-1", "min_data_in_leaf": "10"}


def test_train_params_metrics_inputs_model(require_root, run_bpfpads, workdir):
    client, run, res = tracked(run_bpfpads, workdir, "train")
    job = res.job_json()
    assert run.info.status == "FINISHED"
    # Unpacked from the "k=v k2=v2" string of LGBM_BoosterCreate.
    assert {k: v for k, v in run.data.params.items() if k in TRAIN_PARAMS} == TRAIN_PARAMS
    for data in ("training", "valid_0"):
        # Read as doubles from LGBM_BoosterGetEval's out_results: exact.
        assert history(client, run, f"{data}-binary_logloss") == list(
            enumerate(job["evals_result"][data]["binary_logloss"]))
    rows = sorted(json.loads(d.dataset.profile)["num_rows"] for d in run.inputs.dataset_inputs)
    assert rows == [150, 450]
    local = client.download_artifacts(run.info.run_id, "outputs/model.txt", str(workdir / "dl"))
    assert Path(local).read_bytes() == (workdir / "model.txt").read_bytes()
    assert run.data.tags["bpfpads.mapping.lightgbm.yaml"].startswith("version 1.0.0;")
    assert "4.7.0" in run.data.tags["bpfpads.mapping.lightgbm.yaml"]
    # From lightgbm-4.7.0.dist-info next to lib_lightgbm.so: the package's own version.
    assert run.data.tags["lightgbm.version"] == job["version"] == "4.7.0"


def test_every_metric_of_every_eval_set(require_root, run_bpfpads, workdir):
    client, run, res = tracked(run_bpfpads, workdir, "metrics")
    job = res.job_json()
    # GetEvalNames' and GetEval's arrays, element by element: exact, step = iteration.
    expected = {f"{data}-{metric}": list(enumerate(values))
                for data, metrics in job["evals_result"].items() for metric, values in metrics.items()}
    assert len(expected) == 6
    assert {name: history(client, run, name) for name in expected} == expected
    aclient, arun = autologged(workdir, "metrics")
    assert metric_histories(client, run) == metric_histories(aclient, arun)


def test_parity_with_autolog(require_root, run_bpfpads, workdir):
    client, run, _ = tracked(run_bpfpads, workdir, "train")
    aclient, arun = autologged(workdir, "train")
    assert metric_histories(client, run) == metric_histories(aclient, arun)
    assert all(run.data.params[k] == arun.data.params[k] for k in TRAIN_PARAMS)
    assert set(arun.data.params) - set(run.data.params) == {"keep_training_booster", "num_boost_round"}


def test_sklearn_wrapper(require_root, run_bpfpads, workdir):
    client, run, res = tracked(run_bpfpads, workdir, "sklearn")
    job = res.job_json()
    assert history(client, run, "valid_0-binary_logloss") == list(
        enumerate(job["evals_result"]["valid_0"]["binary_logloss"]))
    aclient, arun = autologged(workdir, "sklearn")
    assert metric_histories(client, run) == metric_histories(aclient, arun)


def test_early_stopping_best_iteration(require_root, run_bpfpads, workdir):
    client, run, res = tracked(run_bpfpads, workdir, "early")
    job = res.job_json()
    assert final(client, run, "best_iteration") == job["best_iteration"]
    assert len(history(client, run, "valid_0-binary_logloss")) == job["rounds_done"]


def test_cv_metrics_per_fold(require_root, run_bpfpads, workdir):
    # lgb.cv: one booster per fold, fold 0 unprefixed, fold k as booster_<k>/; the
    # library's own cv result is the mean over the folds.
    client, run, res = tracked(run_bpfpads, workdir, "cv")
    job = res.job_json()
    assert_cv_folds(client, run, "valid_0-binary_logloss", job["cv"]["valid binary_logloss-mean"])
    assert run.data.params["booster_2/num_leaves"] == "7"


def test_two_boosters_kept_apart(require_root, run_bpfpads, workdir):
    client, run, res = tracked(run_bpfpads, workdir, "multi")
    job = res.job_json()
    assert run.data.params["num_leaves"] == "3" and run.data.params["booster_1/num_leaves"] == "5"
    # valid_sets=[train set]: evaluated as data index 0, "training".
    assert history(client, run, "training-binary_logloss") == list(
        enumerate(job["evals_result"][0]["training"]["binary_logloss"]))
    assert history(client, run, "booster_1/training-binary_logloss") == list(
        enumerate(job["evals_result"][1]["training"]["binary_logloss"]))


def test_crash_keeps_metrics_logged_so_far(require_root, run_bpfpads, workdir):
    client, run, _ = tracked(run_bpfpads, workdir, "crash", returncode=134)
    assert run.info.status == "FAILED"
    assert [s for s, _ in history(client, run, "valid_0-binary_logloss")] == [0, 1, 2]
