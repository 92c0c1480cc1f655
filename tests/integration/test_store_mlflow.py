"""The store layer against the real MLflow: runs written by tests/tools/store_writer must read
back exactly through mlflow.MlflowClient, for a fresh SQLite DB, a DB MLflow created first,
and a file store. Needs no root and no BPF.

Tool: $BPFPADS_STORE_WRITER, else <build dir>/tests/tools/store_writer under the source tree.
"""

import glob
import json
import math
import os
import sqlite3
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

warnings.filterwarnings("ignore")
os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")

import mlflow  # noqa: E402
from mlflow import MlflowClient  # noqa: E402

SRC = Path(os.environ.get("BPFPADS_SOURCE_DIR", Path(__file__).resolve().parents[2]))
DBL_MAX = sys.float_info.max


@pytest.fixture(autouse=True)
def _in_tmp_dir(tmp_path, monkeypatch):
    # MLflow's client puts the artifacts of experiments it creates under ./mlruns of the cwd.
    monkeypatch.chdir(tmp_path)


def writer_path():
    env = os.environ.get("BPFPADS_STORE_WRITER")
    if env:
        return env
    found = sorted(glob.glob(str(SRC / "build*" / "tests" / "tools" / "store_writer")),
                   key=os.path.getmtime, reverse=True)
    if not found:
        pytest.skip("store_writer not built (ninja store_writer) and BPFPADS_STORE_WRITER unset")
    return found[0]


def run_writer(uri, cwd, experiment="store-writer", status="FINISHED"):
    out = subprocess.run([writer_path(), "--uri", uri, "--experiment", experiment,
                          "--status", status, "--cwd", str(cwd)],
                         cwd=cwd, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def history(client, run_id, key):
    points = client.get_metric_history(run_id, key)
    return [(m.step, m.timestamp, m.value) for m in sorted(points, key=lambda m: (m.step, m.timestamp))]


def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b


def check_run(client, res, *, exp_name, status, sql):
    run_id = res["run_id"]
    run = client.get_run(run_id)
    info, data = run.info, run.data
    assert info.run_id == run_id and len(run_id) == 32 and run_id == run_id.lower()
    assert info.run_name == "writer-run"
    assert info.user_id == "alice"
    assert info.status == status
    assert info.start_time == 1700000000000 and info.end_time == 1700000009000
    assert info.lifecycle_stage == "active"
    assert info.experiment_id == res["experiment_id"]
    assert info.artifact_uri == res["artifact_uri"]

    assert data.params == {"lr": "0.01", "model/name": "resnet", "long": "x" * 6000}
    assert data.tags["mlflow.runName"] == "writer-run"
    assert data.tags["mlflow.user"] == "alice"
    assert data.tags["team"] == "ml-platform"
    assert data.tags["note"] == "multi\nline: 'quoted' \"x\""
    inf = DBL_MAX if sql else math.inf
    assert data.metrics["loss"] == 0.25
    assert data.metrics["acc"] == 0.9  # step 5 beats the later timestamp at step 3
    assert data.metrics["weird"] == -inf
    assert data.metrics["small"] == 1e-05 and data.metrics["big"] == 1e16

    assert history(client, run_id, "loss") == [(0, 1700000001000, 1.5), (1, 1700000002000, 0.5),
                                               (2, 1700000003000, 0.25)]
    weird = history(client, run_id, "weird")
    assert [(s, t) for s, t, _ in weird] == [(0, 1700000001000), (1, 1700000002000), (2, 1700000003000)]
    assert all(same(a, b) for a, b in zip([v for _, _, v in weird], [math.nan, inf, -inf]))
    assert history(client, run_id, "acc") == [(3, 1700000006000, 0.95), (5, 1700000005000, 0.9)]
    assert history(client, run_id, "system/cpu_utilization_percentage") == [(0, 1700000001000, 12.5)]
    # An identical point in one batch is stored once by both stores.
    assert len(history(client, run_id, "dup")) == 1

    assert "lr" in res["param_conflict"] and "0.02" in res["param_conflict"]

    top = sorted((f.path, f.is_dir) for f in client.list_artifacts(run_id))
    assert top == [("files", True), ("hello.txt", False), ("sub", True)]
    assert [f.path for f in client.list_artifacts(run_id, "sub/dir")] == ["sub/dir/data.json"]
    assert [f.path for f in client.list_artifacts(run_id, "files")] == ["files/" + res["tmp_name"]]
    local = client.download_artifacts(run_id, "hello.txt")
    assert Path(local).read_text() == "hello world\n"

    (ds_input,) = run.inputs.dataset_inputs
    ds = ds_input.dataset
    assert (ds.name, ds.digest, ds.source_type) == ("train", "abcd1234", "local")
    assert json.loads(ds.source) == {"uri": "/data/train.csv"}
    assert json.loads(ds.profile) == {"num_rows": 100, "num_elements": 400}
    assert json.loads(ds.schema)["mlflow_colspec"][0]["name"] == "x"
    assert {t.key: t.value for t in ds_input.tags} == {"mlflow.data.context": "training"}

    exp = client.get_experiment_by_name(exp_name)
    assert exp is not None and exp.experiment_id == res["experiment_id"]
    found = client.search_runs([exp.experiment_id], filter_string="metrics.loss < 0.3 and params.lr = '0.01'")
    assert [r.info.run_id for r in found] == [run_id]
    default = client.get_experiment("0")
    assert default.name == "Default"
    return run


def schema_of(db):
    """Tables with their columns, indexes and the alembic revision. Not the raw DDL: MLflow's
    own DDL varies between runs (the order inside enum CHECK lists follows Python set order)."""
    con = sqlite3.connect(db)
    try:
        tables = {}
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'"):
            cols = con.execute(f'PRAGMA table_info("{name}")').fetchall()
            idx = sorted(r[1] for r in con.execute(f'PRAGMA index_list("{name}")'))
            fks = sorted(con.execute(f'PRAGMA foreign_key_list("{name}")').fetchall())
            tables[name] = (cols, idx, fks)
        (rev,) = con.execute("SELECT version_num FROM alembic_version").fetchone()
        return tables, rev
    finally:
        con.close()


def test_fresh_sqlite_absolute(tmp_path):
    db = tmp_path / "sub" / "mlflow.db"
    db.parent.mkdir()
    uri = f"sqlite:///{db}"
    res = run_writer(uri, tmp_path)
    assert res["describe"] == uri
    client = MlflowClient(tracking_uri=uri)
    check_run(client, res, exp_name="store-writer", status="FINISHED", sql=True)
    exp = client.get_experiment(res["experiment_id"])
    # MLflow 3.17 stores plain absolute paths, no file:// prefix, for SQLite experiments.
    assert exp.artifact_location == str(db.parent / "mlruns" / res["experiment_id"])
    assert client.get_experiment("0").artifact_location == str(db.parent / "mlruns" / "0")
    assert res["artifact_uri"] == f"{db.parent}/mlruns/{res['experiment_id']}/{res['run_id']}/artifacts"
    con = sqlite3.connect(db)
    row = con.execute("SELECT source_type, status, source_name, entry_point_name, source_version "
                      "FROM runs").fetchone()
    assert row == ("UNKNOWN", "FINISHED", "", "", "")
    assert con.execute("SELECT value, is_nan FROM metrics WHERE key='weird' ORDER BY step").fetchall() == \
        [(0.0, 1), (DBL_MAX, 0), (-DBL_MAX, 0)]
    assert con.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    con.close()


def test_fresh_db_matches_mlflow_schema_and_opens_like_mlflow_ui(tmp_path):
    ours = tmp_path / "ours" / "mlflow.db"
    ours.parent.mkdir()
    run_writer(f"sqlite:///{ours}", tmp_path)
    before = schema_of(ours)

    ref = tmp_path / "ref" / "mlflow.db"
    ref.parent.mkdir()
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore
    SqlAlchemyStore(f"sqlite:///{ref}", str(ref.parent / "mlruns")).engine.dispose()
    expected = schema_of(ref)  # same tables, columns, indexes and revision as MLflow's own
    assert before[1] == expected[1]
    assert sorted(before[0]) == sorted(expected[0])
    assert before == expected

    # What `mlflow ui` / `mlflow server` do at start; must neither raise nor migrate.
    store = SqlAlchemyStore(f"sqlite:///{ours}", str(ours.parent / "mlruns"))
    assert store.get_experiment_by_name("store-writer") is not None
    store.engine.dispose()
    assert schema_of(ours) == before
    con = sqlite3.connect(ours)
    assert con.execute("SELECT name, description FROM workspaces").fetchall() == \
        [("default", "Default workspace for legacy resources")]
    con.close()


def test_default_uri_is_mlflow_db_in_cwd(tmp_path):
    res = run_writer("", tmp_path)
    assert (tmp_path / "mlflow.db").is_file()
    assert res["describe"] == f"sqlite:///{tmp_path}/mlflow.db"
    check_run(MlflowClient(tracking_uri=f"sqlite:///{tmp_path}/mlflow.db"), res,
              exp_name="store-writer", status="FINISHED", sql=True)


def test_relative_sqlite_uri(tmp_path):
    res = run_writer("sqlite:///rel.db", tmp_path, status="KILLED")
    check_run(MlflowClient(tracking_uri=f"sqlite:///{tmp_path}/rel.db"), res,
              exp_name="store-writer", status="KILLED", sql=True)


def test_append_to_db_created_by_mlflow(tmp_path):
    db = tmp_path / "mlflow.db"
    uri = f"sqlite:///{db}"
    client = MlflowClient(tracking_uri=uri)
    exp_id = client.create_experiment("shared")
    other = client.create_run(exp_id, run_name="from-mlflow")
    client.log_metric(other.info.run_id, "loss", 9.0)
    client.set_terminated(other.info.run_id)
    journal_before = sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()

    res = run_writer(uri, tmp_path, experiment="shared", status="FAILED")
    assert res["experiment_id"] == exp_id
    client = MlflowClient(tracking_uri=uri)
    check_run(client, res, exp_name="shared", status="FAILED", sql=True)
    runs = client.search_runs([exp_id], order_by=["attributes.start_time ASC"])
    assert {r.info.run_name for r in runs} == {"from-mlflow", "writer-run"}
    assert client.get_run(other.info.run_id).data.metrics == {"loss": 9.0}
    assert sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone() == journal_before

    # A second run of the tool into the same experiment of our own making appends too.
    res2 = run_writer(uri, tmp_path, experiment="shared")
    assert res2["experiment_id"] == exp_id and res2["run_id"] != res["run_id"]
    assert len(client.search_runs([exp_id])) == 3
    # The dataset row is shared by (experiment, name, digest).
    assert sqlite3.connect(db).execute("SELECT count(*) FROM datasets").fetchone() == (1,)


def test_file_store(tmp_path):
    root = tmp_path / "mlruns"
    uri = f"file:{root}"
    res = run_writer(uri, tmp_path)
    client = MlflowClient(tracking_uri=uri)
    check_run(client, res, exp_name="store-writer", status="FINISHED", sql=False)
    exp_id = res["experiment_id"]
    assert len(exp_id) == 18 and exp_id.isdigit()
    exp = client.get_experiment(exp_id)
    assert exp.artifact_location == f"file://{root}/{exp_id}"
    run_dir = root / exp_id / res["run_id"]
    assert (run_dir / "metrics" / "weird").read_text() == \
        "1700000001000 nan 0\n1700000002000 inf 1\n1700000003000 -inf 2\n"
    assert (run_dir / "metrics" / "small").read_text() == "1700000001000 1e-05 0\n"
    assert (run_dir / "metrics" / "big").read_text() == "1700000001000 1e+16 0\n"
    assert (run_dir / "metrics" / "dup").read_text() == "1700000001000 3.0 0\n"
    assert (run_dir / "params" / "model" / "name").read_text() == "resnet"
    assert (root / "0" / "meta.yaml").is_file() and (root / ".trash").is_dir()
    import yaml
    meta = yaml.safe_load((run_dir / "meta.yaml").read_text())
    assert meta["status"] == 3 and meta["source_type"] == 4 and meta["experiment_id"] == exp_id
    assert meta["tags"] == [] and "deleted_time" not in meta
    # A second run into the same experiment finds it by name.
    res2 = run_writer(f"file://{root}", tmp_path, status="KILLED")
    assert res2["experiment_id"] == exp_id
    assert client.get_run(res2["run_id"]).info.status == "KILLED"
    assert len(client.search_runs([exp_id])) == 2


def test_file_store_migrates_to_sqlite_with_mlflow(tmp_path):
    root = tmp_path / "mlruns"
    res = run_writer(f"file:{root}", tmp_path)
    target = tmp_path / "migrated.db"
    out = subprocess.run([sys.executable, "-m", "mlflow", "migrate-filestore", "--source", str(root),
                          "--target", f"sqlite:///{target}"],
                         capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert out.returncode == 0, out.stderr[-3000:]
    run = MlflowClient(tracking_uri=f"sqlite:///{target}").get_run(res["run_id"])
    assert run.data.params["lr"] == "0.01" and run.data.metrics["loss"] == 0.25
    assert run.info.status == "FINISHED"


def test_file_store_relative_and_plain_path(tmp_path):
    res = run_writer("file:./mlruns", tmp_path)
    assert (tmp_path / "mlruns" / res["experiment_id"] / res["run_id"] / "meta.yaml").is_file()
    res2 = run_writer("plain-root", tmp_path)
    client = MlflowClient(tracking_uri=str(tmp_path / "plain-root"))
    check_run(client, res2, exp_name="store-writer", status="FINISHED", sql=False)


def test_file_store_appends_to_mlflow_made_root(tmp_path):
    root = tmp_path / "mlruns"
    uri = f"file://{root}"
    client = MlflowClient(tracking_uri=uri)
    exp_id = client.create_experiment("made-by-mlflow")
    res = run_writer(uri, tmp_path, experiment="made-by-mlflow")
    assert res["experiment_id"] == exp_id
    check_run(MlflowClient(tracking_uri=uri), res, exp_name="made-by-mlflow", status="FINISHED", sql=False)


def test_unsupported_uri_fails_clearly(tmp_path):
    # An unreachable server is refused before anything runs (--offline-ok spools instead).
    for uri, words in [("http://127.0.0.1:9", "cannot reach the MLflow tracking server"),
                       ("postgresql://u@h/db", "postgresql://u@h/db"),
                       ("databricks", "databricks")]:
        out = subprocess.run([writer_path(), "--uri", uri, "--cwd", str(tmp_path)],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode != 0
        assert words in out.stderr, out.stderr
