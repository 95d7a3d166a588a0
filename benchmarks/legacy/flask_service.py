"""The legacy per-model Flask service (LEGACY.md: flask_service.py), rebuilt as the benchmark baseline.

Loads the model named by MODEL_PATH at import (gunicorn imports this module in each worker) and answers
POST /predict with the image in the request body (or a multipart file field), returning the first
output as JSON.
"""
import os

from flask import Flask, jsonify, request

import models

app = Flask(__name__)
model = models.load(os.environ.get("MODEL_PATH", "/models/model.onnx"))


@app.route("/predict", methods=["POST"])
def predict():
    if request.files:
        data = next(iter(request.files.values())).read()
    else:
        data = request.get_data()
    if not data:
        return jsonify({"error": "no image in the request"}), 400
    try:
        output = model.predict_image(data)
    except Exception as e:  # the legacy service answered every failure the same way
        return jsonify({"error": str(e)}), 500
    return jsonify({"predictions": output.tolist()})


@app.route("/info", methods=["GET"])
def info():
    return jsonify(model.info())
