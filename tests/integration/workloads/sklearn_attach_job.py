"""A job bpfpads attaches to while it runs (issue #11, attach): a fit is in progress
at the attach, later fits and a metric start after it. Waits on stdin between the two."""
import json
import sys

from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score
from sklearn.tree import DecisionTreeClassifier

X, y = load_iris(return_X_y=True)
print("ready", flush=True)
# In progress when bpfpads attaches: its return is seen, its start was not.
RandomForestClassifier(n_estimators=int(sys.argv[1]), random_state=0).fit(X, y)
print("long fit done", flush=True)
sys.stdin.readline()
model = DecisionTreeClassifier(max_depth=2, random_state=3).fit(X, y)
accuracy = accuracy_score(y, model.predict(X))
print(json.dumps({"accuracy": accuracy}), flush=True)
