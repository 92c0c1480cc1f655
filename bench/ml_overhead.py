#!/usr/bin/env python3
"""Wall-clock overhead of tracking a boosting job (not a test):

    sudo bench/ml_overhead.py [--bpfpads build/cli/bpfpads] [--python /tmp/mlvenv/bin/python]
                              [--lib xgboost|lightgbm] [--rounds 200] [--rows 16000,160000] [--repeat 5]

For each data size, runs the same training (ROUNDS rounds on synthetic data with 20
features, one eval set of a quarter the size) untracked, under `bpfpads run`
(shipped mappings), under `bpfpads run --no-default-mappings` (process tree and
hardware only) and in-process with mlflow.<lib>.autolog(), interleaved, and prints
the median wall time of each and the ratios to untracked, in one run. The whole
`python job.py` is timed, interpreter start and imports included. bpfpads' own
account of what it cost the job (start-up, stops at library loads, its CPU) is read
back from the runs it wrote."""
import argparse
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

JOB = r'''
import sys, numpy as np
lib, rounds, rows, autolog = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rng = np.random.default_rng(0)
n = rows + rows // 4
X = rng.normal(size=(n, 20)); y = (X[:, 0] + rng.normal(size=n) > 0).astype(int)
if autolog != "-":
    import mlflow; mlflow.set_tracking_uri(autolog)
if lib == "xgboost":
    import xgboost as xgb
    if autolog != "-": mlflow.xgboost.autolog(log_models=False)
    d = xgb.DMatrix(X[:rows], label=y[:rows]); v = xgb.DMatrix(X[rows:], label=y[rows:])
    xgb.train({"objective": "binary:logistic", "max_depth": 6, "nthread": 2}, d, rounds,
              evals=[(d, "train"), (v, "eval")], verbose_eval=False)
else:
    import lightgbm as lgb
    if autolog != "-": mlflow.lightgbm.autolog(log_models=False)
    d = lgb.Dataset(X[:rows], label=y[:rows]); v = lgb.Dataset(X[rows:], label=y[rows:], reference=d)
    lgb.train({"objective": "binary", "num_threads": 2, "verbose": -1}, d, rounds, valid_sets=[d, v],
              valid_names=["training", "valid_0"])
'''

OWN_ACCOUNT = ["bpfpads/startup_ms", "bpfpads/library_load_held_ms", "bpfpads/library_load_stops",
               "bpfpads/collector_cpu_seconds"]


def timed(cmd, cwd):
    t = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def own_account(db):
    """Per metric, the values of every run bpfpads wrote into `db`."""
    with sqlite3.connect(db) as c:
        rows = c.execute("SELECT key, value FROM latest_metrics WHERE key IN (%s)" %
                         ",".join("?" * len(OWN_ACCOUNT)), OWN_ACCOUNT).fetchall()
    values = {k: [] for k in OWN_ACCOUNT}
    for k, v in rows:
        values[k].append(v)
    return values


def main():
    root = Path(__file__).resolve().parents[1]
    ap = argparse.ArgumentParser()
    ap.add_argument("--bpfpads", default=str(root / "build" / "cli" / "bpfpads"))
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--lib", default="xgboost", choices=["xgboost", "lightgbm"])
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--rows", default="16000,160000", help="training rows, comma-separated sizes")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--skip", default="", help="variants to leave out, comma-separated (e.g. 'bpfpads, no mappings' "
                    "is 'no mappings')")
    a = ap.parse_args()
    skip = {s.strip() for s in a.skip.split(",") if s.strip()}
    for rows in [int(r) for r in a.rows.split(",")]:
        with tempfile.TemporaryDirectory() as tmp:
            job = Path(tmp) / "job.py"
            job.write_text(JOB)
            base = [a.python, str(job), a.lib, str(a.rounds), str(rows)]
            tracked_db = f"sqlite:///{tmp}/bpfpads.db"
            variants = {
                "untracked": lambda i: base + ["-"],
                "bpfpads": lambda i: [a.bpfpads, "run", "--tracking-uri", tracked_db, "--"] + base + ["-"],
                "bpfpads, no mappings": lambda i: [a.bpfpads, "run", "--no-default-mappings", "--tracking-uri",
                                                   f"sqlite:///{tmp}/plain.db", "--"] + base + ["-"],
                "autolog": lambda i: base + [f"sqlite:///{tmp}/autolog{i}.db"],
            }
            variants = {k: v for k, v in variants.items()
                        if k == "untracked" or not ({k, k.split(", ")[-1]} & skip)}
            times = {k: [] for k in variants}
            for i in range(a.repeat):  # interleaved, so drift hits every variant alike
                for name, cmd in variants.items():
                    times[name].append(timed(cmd(i), tmp))
            account = own_account(f"{tmp}/bpfpads.db")
        med = {k: statistics.median(v) for k, v in times.items()}
        print(f"{a.lib}, {a.rounds} rounds, {rows} training rows x 20 features, median of {a.repeat}:")
        for k, v in med.items():
            # Each repeat's ratio to the untracked run next to it: drift over the run cancels.
            paired = statistics.median(t / u for t, u in zip(times[k], times["untracked"]))
            print(f"  {k:22s} {v:8.3f} s  ratio {v / med['untracked']:.3f}  (+{1000 * (v - med['untracked']):.0f} ms)"
                  f"  paired ratio {paired:.3f}  range {min(times[k]):.3f}-{max(times[k]):.3f} s")
        print("  bpfpads' own account, median over its runs: " +
              ", ".join(f"{k.split('/')[1]} {statistics.median(v):.3g}" for k, v in account.items() if v))


if __name__ == "__main__":
    main()
