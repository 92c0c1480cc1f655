"""What a user meets at the terminal: Ctrl-C, privileges, git state, attach
interruptions."""
import os
import pty
import select
import signal
import subprocess
import time
from pathlib import Path

import pytest

from faults import SUDO_NOBODY, caller_owned_folder
from conftest import mlflow_client, only_run


def sqlite_uri(workdir):
    return f"sqlite:///{workdir}/mlflow.db"


def read_until(fd, needle, timeout):
    buf = b""
    end = time.monotonic() + timeout
    while needle not in buf and time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
    return buf


def test_ctrl_c_at_a_terminal_reaches_the_job_like_a_shell(require_root, bpfpads_bin, workdir):
    """bpfpads hands the terminal's foreground to the job: ^C is delivered to the job's
    process group by the terminal, the job decides how it ends, and the run says so."""
    script = ("import signal,sys,time\n"
              "signal.signal(signal.SIGINT, lambda *a: (print('job got SIGINT', flush=True), sys.exit(5)))\n"
              "print('ready', flush=True)\n"
              "time.sleep(30)\n")
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(workdir)
        os.execv(str(bpfpads_bin), [str(bpfpads_bin), "run", "--", "/usr/bin/python3", "-c", script])
    try:
        assert b"ready" in read_until(fd, b"ready", 30)
        os.write(fd, b"\x03")  # what the terminal sends for Ctrl-C
        out = read_until(fd, b"view it with", 30)
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(fd)
    assert b"job got SIGINT" in out
    assert os.WEXITSTATUS(status) == 5, out
    run = only_run(mlflow_client(sqlite_uri(workdir)))
    # The job handled the interrupt and exited 5: bpfpads was not interrupted itself.
    assert run.info.status == "FAILED"
    assert run.data.tags["bpfpads.exit_code"] == "5"
    assert "bpfpads.interrupted" not in run.data.tags


def test_without_privileges_the_error_names_capabilities(require_root, bpfpads_bin, workdir):
    os.chmod(workdir, 0o777)
    res = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                          str(bpfpads_bin), "run", "--", "true"],
                         cwd=workdir, capture_output=True, text=True, timeout=30)
    assert res.returncode == 2
    assert "CAP_BPF" in res.stderr and "CAP_PERFMON" in res.stderr and "sudo" in res.stderr
    assert not (workdir / "mlflow.db").exists()


def test_git_state_of_the_working_directory(require_root, run_bpfpads, testprogs, workdir):
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    git = lambda *a: subprocess.run(["git", *a], cwd=workdir, check=True, capture_output=True,
                                    env={**os.environ, **env}).stdout.decode().strip()
    git("init", "-q", "-b", "main")
    (workdir / "train.py").write_text("print(1)\n")
    (workdir / ".gitignore").write_text("mlflow.db\nmlruns/\n")
    git("add", ".")
    git("commit", "-qm", "first")
    git("remote", "add", "origin", "https://user:secret@example.com/team/repo.git")
    (workdir / "train.py").write_text("print(2)\n")
    commit = git("rev-parse", "HEAD")
    run_bpfpads(["run", "--", str(testprogs / "workload")], check_returncode=0)
    client = mlflow_client(sqlite_uri(workdir))
    run = only_run(client)
    tags = run.data.tags
    assert tags["mlflow.source.git.commit"] == commit
    assert tags["mlflow.source.git.branch"] == "main"
    assert tags["mlflow.source.git.repoURL"] == "https://example.com/team/repo.git"
    assert tags["mlflow.source.git.dirty"] == "true"
    diff = Path(client.download_artifacts(run.info.run_id, "bpfpads/git.diff", str(workdir / "dl")))
    assert "-print(1)" in diff.read_text() and "+print(2)" in diff.read_text()


def test_interrupting_attach_leaves_the_job_running(require_root, bpfpads_bin, testprogs, workdir):
    job = subprocess.Popen([str(testprogs / "workload"), "--sleep", "20"], cwd=workdir,
                           stdout=subprocess.DEVNULL)
    try:
        mon = subprocess.Popen([str(bpfpads_bin), "attach", "--pid", str(job.pid)], cwd=workdir,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)
        mon.send_signal(signal.SIGINT)
        _, err = mon.communicate(timeout=30)
        assert mon.returncode == 0, err
        assert job.poll() is None, "the attached job must keep running"
        run = only_run(mlflow_client(sqlite_uri(workdir)))
        assert run.info.status == "KILLED"
        assert run.data.tags["bpfpads.mode"] == "attach"
        assert run.data.tags["bpfpads.interrupted"] == "true"
    finally:
        job.kill()
        job.wait()


def test_under_sudo_the_job_and_its_run_belong_to_the_caller(require_root, run_bpfpads, testprogs):
    """sudo sets SUDO_UID/SUDO_GID/SUDO_USER: the job runs as that user, mlflow.user names
    them, and the files bpfpads created are theirs (written as them from the start)."""
    with caller_owned_folder() as (_, job):
        res = run_bpfpads(["run", "--", "sh", "-c", "id -u; exit 4"], cwd=job, check_returncode=4,
                          env=SUDO_NOBODY)
        assert res.stdout.strip().splitlines()[0] == "65534"
        run = only_run(mlflow_client(sqlite_uri(job)))
        assert run.data.tags["mlflow.user"] == "nobody" and run.info.user_id == "nobody"
        assert (job / "mlflow.db").stat().st_uid == 65534
        run_dir = job / "mlruns" / run.info.experiment_id / run.info.run_id
        assert (run_dir / "artifacts" / "bpfpads" / "stdout_tail.txt").stat().st_uid == 65534
        assert run_dir.stat().st_uid == 65534
        for dirpath, dirnames, filenames in os.walk(job):
            for name in dirnames + filenames:
                assert os.lstat(os.path.join(dirpath, name)).st_uid == 65534


def test_under_sudo_a_folder_the_caller_cannot_write_is_refused_before_the_job(require_root, run_bpfpads, workdir):
    # pytest's folder is root's (0700 above it): the caller could not write a store there.
    flag = workdir / "ran"
    res = run_bpfpads(["run", "--", "touch", str(flag)], env=SUDO_NOBODY, check_returncode=2)
    assert "as nobody, the user who called sudo" in res.stderr
    assert not flag.exists()


def test_as_root_keeps_root_under_sudo(require_root, run_bpfpads, workdir):
    res = run_bpfpads(["run", "--as-root", "--", "id", "-u"], check_returncode=0,
                      env={"SUDO_UID": "65534", "SUDO_GID": "65534", "SUDO_USER": "nobody"})
    assert res.stdout.strip() == "0"
