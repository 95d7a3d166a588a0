"""The bundled default model: a small digit classifier that answers right.

A scikit-learn MLPClassifier (64 hidden units) trained on scikit-learn's bundled handwritten digits (the UCI
optical recognition of handwritten digits test set, 1,797 8x8 images, 0-16 grey levels; BSD-3-Clause with
scikit-learn), written as ONNX (Flatten, Gemm, Relu, Gemm, Softmax: the network's own weights, so the runtime's
answer is scikit-learn's predict_proba), with labels.txt and three sample PNGs from the held-out quarter of the
data. Run from the repository root with scikit-learn, onnx, onnxruntime and pillow installed:

    python server/src/main/default-model/make_default_model.py

It checks the ONNX file against scikit-learn on the held-out images (1e-5) and prints the accuracy.
"""
import json
import os

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from PIL import Image
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

OUT = os.path.dirname(os.path.abspath(__file__))


def main():
    digits = load_digits()
    # the runtime scales 8-bit pixels to [0, 1]; the data's 0-16 levels are stored as round(v / 16 * 255)
    pixels = np.round(digits.images / 16.0 * 255.0)
    x = (pixels / 255.0).reshape(len(pixels), -1).astype(np.float32)
    x_train, x_test, y_train, y_test, img_train, img_test = train_test_split(
        x, digits.target, pixels, test_size=0.25, random_state=0, stratify=digits.target)
    mlp = MLPClassifier(hidden_layer_sizes=(64,), max_iter=2000, random_state=0).fit(x_train, y_train)
    print(f"held-out accuracy: {mlp.score(x_test, y_test):.4f} on {len(y_test)} images")

    w1, w2 = mlp.coefs_
    b1, b2 = mlp.intercepts_
    nodes = [
        helper.make_node("Flatten", ["image"], ["flat"], axis=1),
        helper.make_node("Gemm", ["flat", "w1", "b1"], ["hidden"]),
        helper.make_node("Relu", ["hidden"], ["relu"]),
        helper.make_node("Gemm", ["relu", "w2", "b2"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
    ]
    inits = [numpy_helper.from_array(a.astype(np.float32), n) for a, n in ((w1, "w1"), (b1, "b1"), (w2, "w2"), (b2, "b2"))]
    graph = helper.make_graph(nodes, "digits_mlp",
                              [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 1, 8, 8])],
                              [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 10])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8,
                              producer_name="make_default_model.py (scikit-learn MLPClassifier)")
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(OUT, "model.onnx"))
    with open(os.path.join(OUT, "labels.txt"), "w") as f:
        f.write("\n".join(str(c) for c in mlp.classes_) + "\n")

    session = ort.InferenceSession(os.path.join(OUT, "model.onnx"))
    got = session.run(None, {"image": x_test.reshape(-1, 1, 8, 8)})[0]
    err = np.abs(got - mlp.predict_proba(x_test)).max()
    assert err < 1e-5, f"ONNX differs from scikit-learn by {err}"
    print(f"onnxruntime vs scikit-learn: max |dp| = {err:.1e}")

    samples = {}
    for digit in (3, 7, 9):
        i = next(i for i in range(len(y_test)) if y_test[i] == digit and mlp.predict(x_test[i:i + 1])[0] == digit)
        name = f"sample-{digit}.png"
        Image.fromarray(img_test[i].astype(np.uint8), mode="L").save(os.path.join(OUT, name))
        p = mlp.predict_proba(x_test[i:i + 1])[0]
        samples[name] = {"label": str(digit), "probability": float(p[digit])}
    with open(os.path.join(OUT, "reference.json"), "w") as f:
        json.dump(samples, f, indent=1)
    print(samples)


if __name__ == "__main__":
    main()
