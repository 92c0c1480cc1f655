#!/usr/bin/env python3
"""Wall-clock overhead of tracking a boosting job (not a test):

    sudo bench/ml_overhead.py [--bpfpads build-ml/cli/bpfpads] [--python /tmp/mlvenv/bin/python]
                              [--lib xgboost|lightgbm] [--rounds 200] [--repeat 3]

Runs the same training (ROUNDS rounds on synthetic data, one eval set) untracked,
under `bpfpads run` (shipped mappings) and in-process with mlflow.<lib>.autolog(), and
prints the median wall time of each and the ratios to untracked, in one run."""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

JOB = r'''
import sys, time, numpy as np
lib, rounds, autolog = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rng = np.random.default_rng(0)
X = rng.normal(size=(20000, 20)); y = (X[:, 0] + rng.normal(size=20000) > 0).astype(int)
if autolog != "-":
    import mlflow; mlflow.set_tracking_uri(autolog)
if lib == "xgboost":
    import xgboost as xgb
    if autolog != "-": mlflow.xgboost.autolog(log_models=False)
    d = xgb.DMatrix(X[:16000], label=y[:16000]); v = xgb.DMatrix(X[16000:], label=y[16000:])
    xgb.train({"objective": "binary:logistic", "max_depth": 6, "nthread": 2}, d, rounds,
              evals=[(d, "train"), (v, "eval")], verbose_eval=False)
else:
    import lightgbm as lgb
    if autolog != "-": mlflow.lightgbm.autolog(log_models=False)
    d = lgb.Dataset(X[:16000], label=y[:16000]); v = lgb.Dataset(X[16000:], label=y[16000:], reference=d)
    lgb.train({"objective": "binary", "num_threads": 2, "verbose": -1}, d, rounds, valid_sets=[d, v],
              valid_names=["training", "valid_0"])
'''


def timed(cmd, cwd):
    t = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def main():
    root = Path(__file__).resolve().parents[1]
    ap = argparse.ArgumentParser()
    ap.add_argument("--bpfpads", default=str(root / "build-ml" / "cli" / "bpfpads"))
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--lib", default="xgboost", choices=["xgboost", "lightgbm"])
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        job = Path(tmp) / "job.py"
        job.write_text(JOB)
        base = [a.python, str(job), a.lib, str(a.rounds)]
        variants = {
            "untracked": lambda i: base + ["-"],
            "bpfpads": lambda i: [a.bpfpads, "run", "--"] + base + ["-"],
            "autolog": lambda i: base + [f"sqlite:///{tmp}/autolog{i}.db"],
        }
        times = {k: [] for k in variants}
        for i in range(a.repeat):  # interleaved, so drift hits every variant alike
            for name, cmd in variants.items():
                times[name].append(timed(cmd(i), tmp))
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"{a.lib}, {a.rounds} rounds, median of {a.repeat}:")
    for k, v in med.items():
        print(f"  {k:10s} {v:8.3f} s  ratio {v / med['untracked']:.3f}")


if __name__ == "__main__":
    main()
