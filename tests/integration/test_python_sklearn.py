"""scikit-learn tracked from outside the interpreter (issue #11), with the shipped
mappings/sklearn.yaml and no change to the job: on pyenv's CPython 3.9-3.13 and
Debian's static 3.11, each with the scikit-learn PyPI serves it. Exact values: the
hyperparameters the script sets and the defaults it does not, the shapes of X and y,
each metric equal to what the script computed, the 120 fits of a GridSearchCV as
children of its fit, and a fit that raised."""
import json

import pytest

from conftest import history, mlflow_client, only_run
from ml_jobs import WORKLOADS
from python_envs import require_env, sklearn_pythons


def walk(nodes):
    for n in nodes:
        yield n
        yield from walk(n["calls"])


@pytest.mark.parametrize("python", sklearn_pythons())
def test_sklearn_fits_and_metrics_are_logged_exactly(require_root, run_bpfpads, workdir, python):
    require_env(python)
    res = run_bpfpads(["run", "--", python, str(WORKLOADS / "sklearn_job.py")], check_returncode=0, timeout=300)
    job = res.job_json()
    client = mlflow_client(f"sqlite:///{workdir}/mlflow.db")
    run = only_run(client)
    params, metrics, tags = run.data.params, run.data.metrics, run.data.tags
    assert run.info.status == "FINISHED"

    # The first estimator fitted: what the script set, and get_params()'s defaults.
    assert params["max_depth"] == "3"
    assert params["random_state"] == "7"
    assert params["criterion"] == "gini"
    assert params["min_samples_split"] == "2"
    assert params["splitter"] == "best"
    # The GridSearchCV, another estimator: its own params under its class's prefix;
    # the 120 clones it fits are not logged as params.
    assert params["GridSearchCV_1/cv"] == "5"
    assert not any(k.startswith("DecisionTreeClassifier_") for k in params if "cv" in k)

    # Metrics: the top-level calls, equal to the values the script computed.
    assert metrics["accuracy_score"] == job["accuracy"]
    assert metrics["f1_score"] == job["f1"]
    assert [value for _, value in history(client, run, "accuracy_score")] == [job["accuracy"]]

    # X and y as dataset inputs with their shapes and dtypes.
    inputs = {d.dataset.name: json.loads(d.dataset.profile) for d in run.inputs.dataset_inputs}
    assert inputs["X"]["shape"] == job["X"] and inputs["X"]["dtype"] == job["X_dtype"]
    assert inputs["y"]["shape"] == job["y"] and inputs["y"]["dtype"] == job["y_dtype"]

    # The pipeline: GridSearchCV.fit holds its 120 fits and the refit as children.
    path = client.download_artifacts(run.info.run_id, "bpfpads/pipeline.json", str(workdir))
    tree = json.load(open(path))
    nodes = [n for threads in tree["processes"].values() for calls in threads.values() for n in walk(calls)]
    search = [n for n in nodes if n["function"] == "GridSearchCV.fit"]
    assert len(search) == 1, [n["function"] for n in nodes]
    children = [c for c in search[0]["calls"] if c["function"] == "DecisionTreeClassifier.fit"]
    assert len(children) == 121
    top_fits = [n for threads in tree["processes"].values() for calls in threads.values() for n in calls
                if n["function"] == "DecisionTreeClassifier.fit"]
    # The first fit returned; the one that raised is marked so.
    assert top_fits[0]["duration_us"] > 0 and "end" not in top_fits[0]
    assert job["raised"] and top_fits[-1].get("end") == "raised"

    # How it was tracked is in the run.
    assert "watched: entry return" in tags["bpfpads.python.targets"]
    assert metrics["bpfpads/python/returns_of_calls_begun_before_the_watch"] == 0
    print(python, job["python"], "spurious traps dropped:", metrics["bpfpads/dropped/python_spurious_traps"],
          "python calls:", metrics["bpfpads/python/calls"])
