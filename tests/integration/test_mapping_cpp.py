"""C++ targets: a namespace path, overloads hooked separately, a template found by
regex; every function starts with endbr64 (the probe goes in after it)."""
from conftest import SOURCE_DIR, final, history, mlflow_client, only_run

MAPPING = SOURCE_DIR / "tests" / "data" / "mappings" / "cpp_test.yaml"


def test_overloads_namespaces_and_templates(require_root, run_bpfpads, testprogs, workdir):
    res = run_bpfpads(["run", "--mapping", str(MAPPING), "--", str(testprogs / "sym_cpp"), "3"],
                      check_returncode=0)
    client = mlflow_client(f"sqlite:///{workdir}/mlflow.db")
    run = only_run(client)
    hits = {k.split("/", 2)[2]: v for k, v in run.data.metrics.items() if k.startswith("bpfpads/hook_hits/")}
    # MLflow keys allow no parentheses: "compute(int)" is logged as "compute_int_".
    assert hits["bpfpads_test::shapes::compute_int_"] == 3
    assert hits["bpfpads_test::shapes::compute_double_"] == 3
    assert hits["bpfpads_test::shapes::Circle::scale_int_"] == 3
    assert hits["bpfpads_test::shapes::Circle::scale_double_"] == 3
    assert sum(v for k, v in hits.items() if "twice" in k) == 6
    # The int overload's argument is in a register; the double's is in XMM0: unreadable.
    assert history(client, run, "compute_x") == [(0, 3.0), (1, 3.0), (2, 3.0)]
    assert "floating-point register" in run.data.tags["bpfpads.hook_notes"] or \
        "unreadable" in run.data.tags["bpfpads.hook_notes"]
