"""LightGBM training jobs for tests/integration/test_lightgbm.py and the benchmark.

    lgb_job.py MODE [--autolog URI] [--rounds N]

MODE: train (lgb.train with the training set and one validation set, saves
model.txt), sklearn (LGBMClassifier.fit with an eval set), early (early stopping),
cv (lgb.cv, 3 folds), multi (two boosters in one process), crash (os.abort() after 3
rounds), metrics (train with two metrics and two validation sets). Prints one JSON line with what the library itself reports.
"""
import argparse
import json
import os
import sys

import lightgbm as lgb
import numpy as np


def data(n=600, d=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = (X[:, 0] + 0.5 * X[:, 1] + rng.normal(size=n) > 0).astype(int)
    return X, y


PARAMS = {"objective": "binary", "num_leaves": 7, "learning_rate": 0.2, "seed": 7,
          "num_threads": 2, "verbose": -1, "min_data_in_leaf": 10}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode")
    ap.add_argument("--autolog")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    if args.autolog:
        import mlflow
        mlflow.set_tracking_uri(args.autolog)
        mlflow.lightgbm.autolog(log_models=False, log_datasets=True)
    X, y = data()
    Xtr, ytr, Xva, yva = X[:450], y[:450], X[450:], y[450:]
    out = {"version": lgb.__version__}
    if args.mode == "metrics":
        dtr = lgb.Dataset(Xtr, label=ytr)
        dva = lgb.Dataset(Xva, label=yva, reference=dtr)
        dva2 = lgb.Dataset(Xva[::2], label=yva[::2], reference=dtr)
        res = {}
        lgb.train(dict(PARAMS, metric=["binary_logloss", "auc"]), dtr, args.rounds,
                  valid_sets=[dtr, dva, dva2], valid_names=["training", "valid_0", "valid_1"],
                  callbacks=[lgb.record_evaluation(res)])
        out["evals_result"] = res
    elif args.mode in ("train", "crash", "early"):
        dtr = lgb.Dataset(Xtr, label=ytr)
        dva = lgb.Dataset(Xva, label=yva, reference=dtr)
        res = {}
        callbacks = [lgb.record_evaluation(res)]
        if args.mode == "crash":
            def abort(env):
                if env.iteration == 2:
                    sys.stdout.flush()
                    os.abort()
            callbacks.append(abort)
        if args.mode == "early":
            callbacks.append(lgb.early_stopping(3, verbose=False))
        rounds = 80 if args.mode == "early" else args.rounds
        params = dict(PARAMS, learning_rate=0.9, num_leaves=31) if args.mode == "early" else PARAMS
        bst = lgb.train(params, dtr, rounds, valid_sets=[dtr, dva], valid_names=["training", "valid_0"],
                        callbacks=callbacks)
        out["evals_result"] = res
        out["shapes"] = [[dtr.num_data(), dtr.num_feature()], [dva.num_data(), dva.num_feature()]]
        if args.mode == "early":
            out["best_iteration"] = bst.best_iteration
            # Rounds evaluated before stopping (the returned booster keeps fewer trees).
            out["rounds_done"] = len(res["valid_0"]["binary_logloss"])
        if args.mode == "train":
            bst.save_model("model.txt")
            out["model_size"] = os.path.getsize("model.txt")
    elif args.mode == "sklearn":
        clf = lgb.LGBMClassifier(n_estimators=args.rounds, num_leaves=7, learning_rate=0.2,
                                 random_state=7, n_jobs=2, verbose=-1)
        clf.fit(Xtr, ytr, eval_set=[(Xva, yva)])
        out["evals_result"] = clf.evals_result_
    elif args.mode == "cv":
        hist = lgb.cv(PARAMS, lgb.Dataset(X, label=y), args.rounds, nfold=3, seed=1,
                      return_cvbooster=False)
        out["cv"] = hist
    elif args.mode == "multi":
        res_a, res_b = {}, {}
        da = lgb.Dataset(Xtr, label=ytr)
        db = lgb.Dataset(Xva, label=yva)
        a = lgb.train(dict(PARAMS, num_leaves=3), da, 3, valid_sets=[da],
                      callbacks=[lgb.record_evaluation(res_a)])
        b = lgb.train(dict(PARAMS, num_leaves=5), db, 4, valid_sets=[db],
                      callbacks=[lgb.record_evaluation(res_b)])
        out["evals_result"] = [res_a, res_b]
        out["alive"] = [a.current_iteration(), b.current_iteration()]
    else:
        sys.exit(f"unknown mode {args.mode}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
