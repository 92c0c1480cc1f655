"""`bpfpads attach --pid` on a Python job that was running before it (issue #11): the
calls that start after the attach are tracked exactly; the fit in progress at the
attach is not invented (its return comes without a start, and is counted so)."""
import json
import subprocess
import threading

from conftest import history, mlflow_client, only_run
from ml_jobs import WORKLOADS
from python_envs import require_env, sklearn_pythons


def test_attach_tracks_calls_after_it_and_invents_none(require_root, bpfpads_bin, workdir):
    python = sklearn_pythons()[-1]
    require_env(python)
    job = subprocess.Popen([python, str(WORKLOADS / "sklearn_attach_job.py"), "3000"], cwd=workdir,
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    tracker = None
    try:
        assert job.stdout.readline().strip() == "ready"
        tracker = subprocess.Popen([str(bpfpads_bin), "attach", "--pid", str(job.pid), "-v"], cwd=workdir,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        placed = threading.Event()
        lines = []

        def read_stderr():
            for line in tracker.stderr:
                lines.append(line)
                if "Python watchpoints placed" in line:
                    placed.set()

        reader = threading.Thread(target=read_stderr, daemon=True)
        reader.start()
        assert placed.wait(20), "".join(lines[-30:])
        long_fit = job.stdout.readline().strip()
        assert long_fit == "long fit done", "the fit in progress should end after the attach"
        job.stdin.write("\n")
        job.stdin.flush()
        result = json.loads(job.stdout.readline())
        assert job.wait(timeout=60) == 0
        assert tracker.wait(timeout=60) == 0, "".join(lines[-30:])
        reader.join(timeout=10)
    finally:
        job.kill()
        if tracker and tracker.poll() is None:
            tracker.kill()

    client = mlflow_client(f"sqlite:///{workdir}/mlflow.db")
    run = only_run(client)
    params, metrics = run.data.params, run.data.metrics
    assert run.data.tags["bpfpads.mode"] == "attach"
    # The first call that started after the attach is the run's estimator.
    assert params["max_depth"] == "2" and params["random_state"] == "3"
    assert "n_estimators" not in params, "the fit in progress at the attach was invented"
    assert metrics["bpfpads/python/returns_of_calls_begun_before_the_watch"] == 1
    assert [v for _, v in history(client, run, "accuracy_score")] == [result["accuracy"]]
