"""Python targets in mapping files (issue #11). Until Python functions are tracked from
outside the interpreter, a mapping file of Python paths must not pass silently: the
terminal, bpfpads.degraded and the mapping's status say that its entries do nothing."""
import json

from conftest import SOURCE_DIR, mlflow_client, only_run

SKLEARN_EXAMPLE = SOURCE_DIR / "tests" / "data" / "mappings" / "pypads_docs_sklearn_example.yaml"


def test_python_entries_are_reported_as_not_tracked(require_root, run_bpfpads, workdir):
    res = run_bpfpads(["run", "--mapping", str(SKLEARN_EXAMPLE), "--", "true"], check_returncode=0)
    assert "4 Python targets are not tracked yet" in res.stderr
    run = only_run(mlflow_client(f"sqlite:///{workdir}/mlflow.db"))
    assert "4 Python targets are not tracked yet" in run.data.tags["bpfpads.degraded"]
    uses = {u["file"]: u for u in json.loads(run.data.tags["bpfpads.mappings"])}
    assert uses[SKLEARN_EXAMPLE.name]["status"] == "Python targets are not tracked yet: 4 entries inactive"
    assert uses["xgboost.yaml"]["status"] == "waiting for its library"
