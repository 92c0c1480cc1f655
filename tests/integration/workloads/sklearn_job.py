"""PyPads' iris example (shared/seeds/pypads-documentation.txt, "Usage example") minus
its two PyPads lines, plus what the tests of issue #11 ask: a metric, a GridSearchCV of
120 fits, and a fit that raises. It prints what bpfpads must find, as JSON."""
import json
import sys

from sklearn import datasets
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import GridSearchCV
from sklearn.tree import DecisionTreeClassifier

dataset = datasets.load_iris()
model = DecisionTreeClassifier(max_depth=3, random_state=7)
model.fit(dataset.data, dataset.target)
predicted = model.predict(dataset.data)
accuracy = accuracy_score(dataset.target, predicted)
f1 = f1_score(dataset.target, predicted, average="macro")

# 24 candidates x 5 folds = 120 fits of a clone each, then one refit on all data.
search = GridSearchCV(DecisionTreeClassifier(random_state=0),
                      {"max_depth": [1, 2, 3, 4], "min_samples_leaf": [1, 2, 3, 4, 5, 6]}, cv=5)
search.fit(dataset.data, dataset.target)

# A fit that raises inside the wrapper (the parameter check): the run goes on.
try:
    DecisionTreeClassifier(max_depth=-1).fit(dataset.data, dataset.target)
    raised = False
except ValueError:
    raised = True

print(json.dumps({"accuracy": accuracy, "f1": f1, "raised": raised, "python": list(sys.version_info[:2]),
                  "X": list(dataset.data.shape), "X_dtype": str(dataset.data.dtype),
                  "y": list(dataset.target.shape), "y_dtype": str(dataset.target.dtype),
                  "best": search.best_params_}))
