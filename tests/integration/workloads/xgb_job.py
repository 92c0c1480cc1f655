"""XGBoost training jobs for tests/integration/test_xgboost.py and the benchmark.

    xgb_job.py MODE [--autolog URI] [--rounds N] [--out FILE]

MODE: train (xgb.train, two evals, saves model.json), sklearn (XGBClassifier.fit with
an eval set), early (early stopping), cv (xgb.cv, 3 folds), multi (two boosters in one
process), crash (os.abort() after 3 rounds). The job prints one JSON line with what the
library itself reports (evals_result, best_iteration, version, shapes), read exactly.
"""
import argparse
import json
import os
import sys

import numpy as np
import xgboost as xgb


def data(n=600, d=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = (X[:, 0] + 0.5 * X[:, 1] + rng.normal(size=n) > 0).astype(int)
    return X, y


PARAMS = {"objective": "binary:logistic", "max_depth": 3, "eta": 0.3,
          "eval_metric": ["logloss", "auc"], "seed": 7, "nthread": 2}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode")
    ap.add_argument("--autolog")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    if args.autolog:
        import mlflow
        mlflow.set_tracking_uri(args.autolog)
        mlflow.xgboost.autolog(log_models=False, log_datasets=True)
    X, y = data()
    Xtr, ytr, Xva, yva = X[:450], y[:450], X[450:], y[450:]
    out = {"version": xgb.__version__}
    if args.mode in ("train", "crash", "early"):
        dtr = xgb.DMatrix(Xtr, label=ytr)
        dva = xgb.DMatrix(Xva, label=yva)
        res = {}
        callbacks = []
        if args.mode == "crash":
            class Abort(xgb.callback.TrainingCallback):
                def after_iteration(self, model, epoch, evals_log):
                    if epoch == 2:
                        sys.stdout.flush()
                        os.abort()
                    return False
            callbacks.append(Abort())
        extra = {"early_stopping_rounds": 3} if args.mode == "early" else {}
        rounds = 60 if args.mode == "early" else args.rounds
        params = dict(PARAMS, eta=0.9, max_depth=6) if args.mode == "early" else PARAMS
        bst = xgb.train(params, dtr, rounds, evals=[(dtr, "train"), (dva, "eval")],
                        evals_result=res, verbose_eval=False, callbacks=callbacks, **extra)
        out["evals_result"] = res
        out["shapes"] = [[dtr.num_row(), dtr.num_col()], [dva.num_row(), dva.num_col()]]
        if args.mode == "early":
            out["best_iteration"] = bst.best_iteration
            out["rounds_done"] = bst.num_boosted_rounds()
        if args.mode == "train":
            bst.save_model("model.json")
            out["model_size"] = os.path.getsize("model.json")
    elif args.mode == "sklearn":
        clf = xgb.XGBClassifier(n_estimators=args.rounds, max_depth=3, learning_rate=0.3,
                                eval_metric="logloss", random_state=7, n_jobs=2)
        clf.fit(Xtr, ytr, eval_set=[(Xva, yva)], verbose=False)
        out["evals_result"] = clf.evals_result()
    elif args.mode == "cv":
        dtr = xgb.DMatrix(X, label=y)
        hist = xgb.cv(dict(PARAMS, eval_metric="logloss"), dtr, args.rounds, nfold=3, seed=1,
                      as_pandas=False)
        out["cv"] = hist
    elif args.mode == "multi":
        res_a, res_b = {}, {}
        da = xgb.DMatrix(Xtr, label=ytr)
        db = xgb.DMatrix(Xva, label=yva)
        a = xgb.train(dict(PARAMS, eval_metric="logloss", max_depth=2), da, 3, evals=[(da, "train")],
                  evals_result=res_a, verbose_eval=False)
        b = xgb.train(dict(PARAMS, eval_metric="logloss", max_depth=5), db, 4, evals=[(db, "train")],
                  evals_result=res_b, verbose_eval=False)
        out["evals_result"] = [res_a, res_b]
        out["alive"] = [a.num_boosted_rounds(), b.num_boosted_rounds()]
    else:
        sys.exit(f"unknown mode {args.mode}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
