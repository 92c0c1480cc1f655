"""Secrets in what a job is given or prints never reach the store: the command line
(mlflow.source.name, bpfpads.process.command_line), the failure tail, values of
secret-named environment variables, URL credentials; --no-redact keeps them, --redact
adds patterns, and a tracking URI's password is never echoed in an error."""
import sqlite3
from pathlib import Path

from conftest import mlflow_client, only_run


def everything_written(workdir):
    """Every text the run's database and artifact folder hold."""
    db = sqlite3.connect(workdir / "mlflow.db")
    text = []
    for table, cols in (("tags", "key, value"), ("params", "key, value"), ("runs", "name, source_name")):
        text += [" ".join(map(str, row)) for row in db.execute(f"select {cols} from {table}")]
    db.close()
    for f in (workdir / "mlruns").rglob("*"):
        if f.is_file():
            text.append(f.read_text(errors="replace"))
    return "\n".join(text)


JOB = ["sh", "-c", 'echo "login with $DEPLOY_TOKEN to postgresql://bob:pa55word@db/x"; exit 3',
       "--password=hunter2", "--api-key", "sk-live-42", "ACCT-991"]


def test_secrets_are_redacted_everywhere_by_default(require_root, run_bpfpads, workdir):
    run_bpfpads(["run", "--redact", r"ACCT-\d+", "--", *JOB], env={"DEPLOY_TOKEN": "tok-5550123"},
                check_returncode=3)
    written = everything_written(workdir)
    for secret in ("hunter2", "sk-live-42", "tok-5550123", "pa55word", "ACCT-991"):
        assert secret not in written, secret
    run = only_run(mlflow_client(f"sqlite:///{workdir}/mlflow.db"))
    assert "--password=***" in run.data.tags["mlflow.source.name"]
    assert "--api-key ***" in run.data.tags["bpfpads.process.command_line"]
    tail = (Path(mlflow_client(f"sqlite:///{workdir}/mlflow.db").download_artifacts(
        run.info.run_id, "bpfpads/stdout_tail.txt", str(workdir / "dl")))).read_text()
    assert tail.strip() == "login with *** to postgresql://bob:***@db/x"


def test_no_redact_keeps_them(require_root, run_bpfpads, workdir):
    run_bpfpads(["run", "--no-redact", "--", *JOB], env={"DEPLOY_TOKEN": "tok-5550123"}, check_returncode=3)
    written = everything_written(workdir)
    assert "hunter2" in written and "tok-5550123" in written


def test_a_tracking_uri_password_is_never_echoed(run_bpfpads):
    res = run_bpfpads(["run", "--tracking-uri", "postgresql://alice:hunter2@db.internal/mlflow", "--", "true"],
                      check_returncode=2)
    assert "hunter2" not in res.stderr and "alice:***@db.internal" in res.stderr


def test_a_device_is_refused_as_a_database(run_bpfpads):
    Path("/dev/null-journal").unlink(missing_ok=True)  # left by an older bpfpads, if any
    res = run_bpfpads(["run", "--tracking-uri", "sqlite:////dev/null", "--", "true"], check_returncode=2)
    assert "/dev/null: is not a regular file" in res.stderr
    assert not Path("/dev/null-journal").exists()
