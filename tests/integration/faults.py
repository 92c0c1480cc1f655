"""Helpers for the fault-injection tests (test_faults_*.py): jobs held at library-load
stops, process states, BPF objects left behind, folders a sudo caller owns."""
import json
import os
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

NOBODY = 65534
SUDO_NOBODY = {"SUDO_UID": str(NOBODY), "SUDO_GID": str(NOBODY), "SUDO_USER": "nobody"}
LOADER = os.path.realpath("/lib64/ld-linux-x86-64.so.2")


def process_state(pid):
    """'R', 'S', 'T' (stopped), 'Z', ... or None once the process is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2]


def wait_for(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def fake_xgboost_library(directory):
    """A shared library named libxgboost.so: the shipped XGBoost mapping makes the
    loader watch stop a job at every load of it."""
    src = Path(directory) / "fake_xgboost.c"
    src.write_text("int fake_xgboost(void) { return 1; }\n")
    lib = Path(directory) / "libxgboost.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(lib), str(src)], check=True)
    return lib


def our_bpf_links_on_the_loader():
    shown = json.loads(subprocess.run(["bpftool", "-j", "link", "show"], check=True, capture_output=True,
                                      text=True).stdout or "[]")
    return [link for link in shown if link.get("path") == LOADER or link.get("file") == LOADER]


def our_bpf_programs():
    shown = json.loads(subprocess.run(["bpftool", "-j", "prog", "show"], check=True, capture_output=True,
                                      text=True).stdout or "[]")
    return [p for p in shown if p.get("name") in ("library_loaded", "on_fork", "on_exit")]


def stopped_processes():
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and process_state(entry.name) == "T":
            out.append(int(entry.name))
    return out


@contextmanager
def caller_owned_folder():
    """A folder under /tmp that the sudo caller (nobody) owns and can reach: pytest's
    own temporary folders sit under a root-only 0700 parent."""
    top = Path(tempfile.mkdtemp(prefix="bpfpads-faults-", dir="/tmp"))
    os.chmod(top, 0o755)
    job = top / "job"
    job.mkdir()
    os.chown(job, NOBODY, NOBODY)
    try:
        yield top, job
    finally:
        shutil.rmtree(top, ignore_errors=True)


def tree_snapshot(root):
    """Every path below root with its owner, mode and (for files) content."""
    snap = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.lstat()
            content = p.read_bytes() if p.is_file() and not p.is_symlink() else None
            snap[str(p.relative_to(root))] = (st.st_uid, st.st_gid, st.st_mode, content)
    st = Path(root).lstat()
    snap["."] = (st.st_uid, st.st_gid, st.st_mode, None)
    return snap
