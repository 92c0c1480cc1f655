#!/usr/bin/env python3
"""What tracking scikit-learn costs the job (not a test):

    sudo bench/sklearn_overhead.py [--bpfpads build/cli/bpfpads] [--python .venv/bin/python] [--repeat 5]

Three jobs: PyPads' iris example (a DecisionTree, a prediction, accuracy_score) and a
GridSearchCV of 120 fits of a DecisionTree on iris with n_jobs=1 and n_jobs=2. Each
runs untracked, under `bpfpads run` (the shipped mappings: sklearn.yaml's two
watchpoint targets) and in-process with mlflow.sklearn.autolog(), interleaved; the
medians and the ratios to untracked, in one run. Two clocks: the job's own
perf_counter around its ML calls (what watchpoint hits cost the work), and the whole
`python job.py` (interpreter start, imports, and bpfpads' start-up). bpfpads' own
account comes from its runs: calls seen, the pause for placing watchpoints, and the
spurious traps it dropped; the cost per watchpoint hit is the tracked-minus-untracked
work time over the hits."""
import argparse
import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

JOB = r'''
import json, sys, time
job, autolog = sys.argv[1], sys.argv[2]
if autolog != "-":
    import mlflow; mlflow.set_tracking_uri(autolog); mlflow.sklearn.autolog(log_models=False)
from sklearn import datasets
from sklearn.metrics import accuracy_score
from sklearn.model_selection import GridSearchCV
from sklearn.tree import DecisionTreeClassifier
d = datasets.load_iris()
t = time.perf_counter()
if job == "iris":
    model = DecisionTreeClassifier().fit(d.data, d.target)
    accuracy_score(d.target, model.predict(d.data))
else:
    grid = {"max_depth": [1, 2, 3, 4], "min_samples_leaf": [1, 2, 3, 4, 5, 6]}
    GridSearchCV(DecisionTreeClassifier(random_state=0), grid, cv=5, n_jobs=int(job[-1])).fit(d.data, d.target)
print(json.dumps({"work": time.perf_counter() - t}))
'''

OWN = ["bpfpads/python/calls", "bpfpads/python/held_ms", "bpfpads/dropped/python_spurious_traps",
       "bpfpads/startup_ms"]


def run(cmd, cwd):
    t = time.perf_counter()
    out = subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, text=True).stdout
    whole = time.perf_counter() - t
    work = json.loads([line for line in out.splitlines() if line.startswith("{")][-1])["work"]
    return whole, work


def main():
    root = Path(__file__).resolve().parents[1]
    ap = argparse.ArgumentParser()
    ap.add_argument("--bpfpads", default=str(root / "build" / "cli" / "bpfpads"))
    ap.add_argument("--python", default=str(root / ".venv" / "bin" / "python"))
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        job = Path(tmp) / "job.py"
        job.write_text(JOB)
        for name in ["iris", "grid_n_jobs_1", "grid_n_jobs_2"]:
            variants = {
                "untracked": lambda d: [a.python, str(job), name, "-"],
                "bpfpads": lambda d: [a.bpfpads, "run", "--tracking-uri", f"sqlite:///{d}/bp.db", "--",
                                      a.python, str(job), name, "-"],
                "autolog": lambda d: [a.python, str(job), name, f"sqlite:///{d}/autolog.db"],
            }
            times = {v: ([], []) for v in variants}
            for _ in range(a.repeat):
                for v, cmd in variants.items():
                    whole, work = run(cmd(tmp), tmp)
                    times[v][0].append(whole)
                    times[v][1].append(work)
            with sqlite3.connect(f"{tmp}/bp.db") as c:
                own = {k: [v for (v,) in c.execute("SELECT value FROM latest_metrics WHERE key = ?", (k,))] for k in OWN}
            (Path(tmp) / "bp.db").unlink()
            print(f"\n{name} ({a.repeat} interleaved rounds, medians)")
            base_whole, base_work = (statistics.median(x) for x in times["untracked"])
            for v, (whole, work) in times.items():
                mw, mk = statistics.median(whole), statistics.median(work)
                print(f"  {v:10s} work {mk:8.4f} s ({mk / base_work:5.3f}x)   whole job {mw:7.3f} s ({mw / base_whole:5.3f}x)")
            calls = statistics.median(own["bpfpads/python/calls"])
            extra = statistics.median(times["bpfpads"][1]) - base_work
            print(f"  bpfpads: {calls:.0f} Python calls, {statistics.median(own['bpfpads/python/held_ms']):.1f} ms paused "
                  f"placing watchpoints, {sum(own['bpfpads/dropped/python_spurious_traps']):.0f} spurious traps dropped, "
                  f"start-up {statistics.median(own['bpfpads/startup_ms']):.0f} ms; "
                  f"work time added per call (two hits each at most): {1e6 * extra / max(calls, 1):.1f} us")


if __name__ == "__main__":
    sys.exit(main())
