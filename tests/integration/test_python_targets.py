"""Python targets in mapping files that bpfpads cannot follow are said so, never passed
over in silence: PyPads' documentation example selects methods by regular expression
(not tracked yet: the run, the terminal and bpfpads.degraded say so, with file:line),
and its literal `__init__` path is reported per target in bpfpads.python.targets."""
import json

from conftest import SOURCE_DIR, mlflow_client, only_run

SKLEARN_EXAMPLE = SOURCE_DIR / "tests" / "data" / "mappings" / "pypads_docs_sklearn_example.yaml"


def test_python_entries_that_cannot_be_tracked_are_reported(require_root, run_bpfpads, workdir):
    res = run_bpfpads(["run", "--mapping", str(SKLEARN_EXAMPLE), "--", "true"], check_returncode=0)
    assert "Python paths with a regular expression are not tracked yet" in res.stderr
    run = only_run(mlflow_client(f"sqlite:///{workdir}/mlflow.db"))
    degraded = run.data.tags["bpfpads.degraded"]
    assert degraded.count("Python paths with a regular expression are not tracked yet") == 3
    assert f"{SKLEARN_EXAMPLE.name}:" in degraded  # where: file and line
    # The literal path is a target: no Python process ran, so none imported it.
    targets = run.data.tags["bpfpads.python.targets"]
    assert "sklearn.base.BaseEstimator.__init__: no Python process of the job imported it" in targets
    uses = {u["file"]: u for u in json.loads(run.data.tags["bpfpads.mappings"])}
    assert uses[SKLEARN_EXAMPLE.name]["status"] == "Python: 0 of 1 targets called (bpfpads.python.targets says how each was found)"
    assert uses["xgboost.yaml"]["status"] == "waiting for its library"
