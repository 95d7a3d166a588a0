"""The Python baseline of the tabular benchmark: the same scikit-learn GradientBoostingClassifier (100 trees,
depth 3, the same data and seed as model-loaders/src/test/fixtures/tabular/generate_tabular.py) served the way a
vendor serves it today: Flask under gunicorn, records in, label and probabilities out.

    gunicorn -w 2 -b 127.0.0.1:5090 --chdir benchmarks/tabular flask_gbdt:app

POST /predict {"instances": [{"temperature": ..., ...}, ...]}
  -> {"predictions": [{"label": 1, "probabilities": {"0": p0, "1": p1}}, ...]}
"""
import numpy as np
from flask import Flask, jsonify, request
from sklearn.datasets import make_classification
from sklearn.ensemble import GradientBoostingClassifier

FEATURES = ["temperature", "pressure", "humidity", "speed", "thickness", "moisture", "density", "ph"]


def train():
    x, y = make_classification(n_samples=2000, n_features=8, n_informative=6, random_state=7)
    x = np.asarray(x, dtype=np.float32).astype(np.float64)
    return GradientBoostingClassifier(n_estimators=100, max_depth=3, learning_rate=0.1, random_state=7).fit(x, y)


model = train()
app = Flask(__name__)


@app.post("/predict")
def predict():
    records = request.get_json(force=True)["instances"]
    x = np.array([[float(r[f]) for f in FEATURES] for r in records])
    proba = model.predict_proba(x)
    labels = model.classes_[proba.argmax(axis=1)]
    return jsonify(predictions=[{"label": int(l), "probabilities": {str(c): float(p) for c, p in zip(model.classes_, row)}}
                                for l, row in zip(labels, proba)])
