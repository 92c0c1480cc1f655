"""A failure tail that came through the ring buffer says when it is incomplete: either
it ends with the job's last line, or its first line says that records were lost."""
import subprocess

from conftest import mlflow_client, only_run


def test_a_flooded_pipe_tail_is_complete_or_says_it_is_not(require_root, bpfpads_bin, workdir):
    proc = subprocess.run(f"{bpfpads_bin} run -- sh -c 'seq 1 5000000; exit 1' | tail -n 1", shell=True,
                          cwd=workdir, capture_output=True, text=True, timeout=300)
    assert proc.stdout.strip() == "5000000", proc.stderr
    client = mlflow_client(f"sqlite:///{workdir}/mlflow.db")
    run = only_run(client)
    assert run.info.status == "FAILED"
    tail = open(client.download_artifacts(run.info.run_id, "bpfpads/stdout_tail.txt", str(workdir / "dl"))).read()
    lost = run.data.metrics["bpfpads/dropped/ring_buffer_full"]
    if tail.rstrip().endswith("\n5000000"):
        return
    assert lost > 0 and tail.startswith(f"[bpfpads: incomplete: {int(lost)} records were lost"), tail[:300]
