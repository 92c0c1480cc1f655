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
    # Each fit is there; its class is said where bpfpads could tell it for certain (a
    # clone freed before it was read keeps its name from what BPF saw at the call).
    fits = [c for c in search[0]["calls"] if c["function"].endswith("fit")]
    assert len(fits) == 121, sorted({c["function"] for c in search[0]["calls"]})
    named = [c for c in fits if c["function"] == "DecisionTreeClassifier.fit"]
    assert len(named) >= 119, sorted({c["function"] for c in fits})
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


def test_joblib_workers_fits_are_tracked_as_the_search_s(require_root, run_bpfpads, workdir):
    """n_jobs=2: loky's worker processes start and import scikit-learn later; their fits
    are tracked there, belong to the parent's GridSearchCV.fit (no params or metrics of
    their own in the run), and the search's own params are the run's. A worker fits
    right after its import, within the milliseconds the watch takes to go in: its
    first fits can be missed (docs/python-tracing.md), so the count is a range."""
    python = sklearn_pythons()[-1]
    require_env(python)
    job = workdir / "search.py"
    job.write_text(
        "from sklearn import datasets\n"
        "from sklearn.model_selection import GridSearchCV\n"
        "from sklearn.tree import DecisionTreeClassifier\n"
        "d = datasets.load_iris()\n"
        "grid = {'max_depth': [1, 2, 3, 4], 'min_samples_leaf': [1, 2, 3, 4, 5, 6]}\n"
        "GridSearchCV(DecisionTreeClassifier(random_state=0), grid, cv=5, n_jobs=2).fit(d.data, d.target)\n")
    run_bpfpads(["run", "--", python, str(job)], check_returncode=0, timeout=300)
    client = mlflow_client(f"sqlite:///{workdir}/mlflow.db")
    run = only_run(client)
    params = run.data.params
    assert params["n_jobs"] == "2" and params["cv"] == "5"
    assert params["param_grid"] == "{'max_depth': [1, 2, 3, 4], 'min_samples_leaf': [1, 2, 3, 4, 5, 6]}"
    assert not any("/" in k and not k.startswith("bpfpads") for k in params), sorted(params)
    assert "accuracy_score" not in run.data.metrics
    path = client.download_artifacts(run.info.run_id, "bpfpads/pipeline.json", str(workdir))
    tree = json.load(open(path))["processes"]
    searches = [pid for pid, threads in tree.items() for calls in threads.values() for n in calls
                if n["function"] == "GridSearchCV.fit"]
    assert len(searches) == 1
    in_workers = sum(1 for pid, threads in tree.items() if pid != searches[0] for calls in threads.values()
                     for n in walk(calls) if n["function"] == "DecisionTreeClassifier.fit")
    assert 0 < in_workers <= 120
    print("fits tracked in the workers:", in_workers, "of 120")
