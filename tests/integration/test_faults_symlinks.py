"""Under sudo, root must follow no path the job controls. The job runs as the caller
(nobody here) in a folder the caller owns, and points the store's paths at a folder
only root may change: before the start, during the run, and back and forth all along
(a race). bpfpads writes the caller's folders as the caller, so the kernel refuses
what the caller could not do, and the root-owned folder stays as it was."""
import os
import subprocess

from conftest import mlflow_client, only_run
from faults import SUDO_NOBODY, NOBODY, caller_owned_folder, tree_snapshot


def root_only_folder(top):
    target = top / "root-only"
    (target / "0").mkdir(parents=True)
    secret = target / "secret.conf"
    secret.write_text("password=hunter2\n")
    os.chmod(secret, 0o600)
    os.chmod(target / "0", 0o755)
    return target


def run_as_caller(bpfpads_bin, job_dir, *command, check=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    env.update(SUDO_NOBODY)
    proc = subprocess.run([str(bpfpads_bin), "run", "--", *command], cwd=job_dir, env=env,
                          capture_output=True, text=True, timeout=120)
    if check is not None:
        assert proc.returncode == check, proc.stderr
    return proc


def assert_all_owned_by_caller(folder):
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            assert os.lstat(os.path.join(dirpath, name)).st_uid == NOBODY, os.path.join(dirpath, name)


def test_mlruns_swapped_for_a_symlink_during_the_run(require_root, bpfpads_bin):
    with caller_owned_folder() as (top, job):
        target = root_only_folder(top)
        before = tree_snapshot(target)
        # The run's folder exists (mlruns/0/<run>) when the job starts; the job replaces
        # mlruns by a link, then fails so that bpfpads writes the output tails there.
        run_as_caller(bpfpads_bin, job, "sh", "-c",
                      f"rm -rf mlruns && ln -s {target} mlruns && echo some output && exit 1", check=1)
        assert tree_snapshot(target) == before, "root-owned files were changed through the job's symlink"
        run = only_run(mlflow_client(f"sqlite:///{job}/mlflow.db"))
        assert run.info.status == "FAILED" and run.data.tags["bpfpads.exit_code"] == "1"
        # The refused artifact writes are counted in the run.
        assert int(run.data.tags["bpfpads.store_write_failures"]) >= 1
        assert_all_owned_by_caller(job)


def test_store_path_that_is_a_symlink_before_the_start_is_refused(require_root, bpfpads_bin):
    with caller_owned_folder() as (top, job):
        target = root_only_folder(top)
        root_db = target / "root.db"
        root_db.write_bytes(b"not yours")
        os.chmod(root_db, 0o600)
        before = tree_snapshot(target)
        os.symlink(root_db, job / "mlflow.db")
        os.lchown(job / "mlflow.db", NOBODY, NOBODY)
        flag = job / "ran"
        proc = run_as_caller(bpfpads_bin, job, "touch", str(flag))
        assert proc.returncode == 2
        assert "mlflow.db" in proc.stderr and "as nobody, the user who called sudo" in proc.stderr, proc.stderr
        assert not flag.exists(), "the job must not run untracked"
        assert tree_snapshot(target) == before


def test_symlinks_swapped_back_and_forth_all_through_the_run(require_root, bpfpads_bin):
    with caller_owned_folder() as (top, job):
        target = root_only_folder(top)
        before = tree_snapshot(target)
        # A git repository with an uncommitted change: bpfpads writes its diff as an
        # artifact right after the job starts, while the job swaps mlruns/0 between the
        # real folder and a link (rename is atomic), and again at the end (output tails).
        git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
        subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "sh", "-c",
                        f"cd {job} && git init -q . && echo a > f && {' '.join(git)} add f && "
                        f"{' '.join(git)} commit -qm a && echo b >> f"], check=True, env={"HOME": str(job)})
        swap = (f"mkdir -p mlruns/0; ln -sfn {target}/0 link0; end=$(($(date +%s%N) + 1500000000)); "
                f"while [ $(date +%s%N) -lt $end ]; do mv -T mlruns/0 real0; mv -T link0 mlruns/0; "
                f"mv -T mlruns/0 link0; mv -T real0 mlruns/0; done; echo out; exit 3")
        run_as_caller(bpfpads_bin, job, "sh", "-c", swap, check=3)
        assert tree_snapshot(target) == before, "root-owned files were changed through the job's symlink"
        run = only_run(mlflow_client(f"sqlite:///{job}/mlflow.db"))
        assert run.info.status == "FAILED"
        assert_all_owned_by_caller(job)
