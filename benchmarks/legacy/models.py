"""One class per model kind with a predict method and an info method (LEGACY.md: models.py)."""
import os

import numpy as np

from local_utilities import h5_input_shape, universal_image_process


class OnnxModel:
    kind = "onnx"

    def __init__(self, path):
        import onnxruntime as ort

        self.session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        self.input = self.session.get_inputs()[0]
        self.output_names = [o.name for o in self.session.get_outputs()]
        shape = list(self.input.shape)[1:]
        self.channels_first = shape[0] in (1, 3)
        self.input_shape = tuple(int(d) for d in shape)

    def predict_image(self, data):
        x = universal_image_process(data, self.input_shape, self.channels_first)
        return self.predict(x)

    def predict(self, x):
        return self.session.run(self.output_names, {self.input.name: x})[0]

    def info(self):
        return {"kind": self.kind, "input": self.input.name, "shape": self.input_shape}


class TorchScriptModel:
    kind = "torchscript"

    def __init__(self, path):
        import torch

        self.torch = torch
        self.model = torch.jit.load(path, map_location="cpu")
        self.model.eval()
        # TorchScript files carry no input shape: the service was configured with it.
        self.input_shape = tuple(int(d) for d in os.environ.get("INPUT_SHAPE", "3,224,224").split(","))
        self.channels_first = True

    def predict_image(self, data):
        x = universal_image_process(data, self.input_shape, self.channels_first)
        return self.predict(x)

    def predict(self, x):
        with self.torch.no_grad():
            return self.model(self.torch.from_numpy(x)).numpy()

    def info(self):
        return {"kind": self.kind, "shape": self.input_shape}


class KerasH5Model:
    kind = "keras_h5"

    def __init__(self, path):
        import keras

        self.model = keras.models.load_model(path, compile=False)
        self.input_shape = h5_input_shape(path)
        self.channels_first = False
        # The legacy service called model.predict() per request; KERAS_CALL=direct calls model(x).
        self.direct = os.environ.get("KERAS_CALL", "predict") == "direct"

    def predict_image(self, data):
        x = universal_image_process(data, self.input_shape, self.channels_first)
        return self.predict(x)

    def predict(self, x):
        if self.direct:
            return np.asarray(self.model(x, training=False))
        return self.model.predict(x, verbose=0)

    def info(self):
        return {"kind": self.kind, "shape": self.input_shape, "call": "direct" if self.direct else "predict"}


def sniff_kind(path):
    """Works out which kind of model a file is: magic bytes first, then the file name."""
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(b"\x89HDF\r\n\x1a\n"):
        return KerasH5Model
    if head.startswith(b"PK"):
        return TorchScriptModel
    if path.endswith(".onnx"):
        return OnnxModel
    raise ValueError("cannot tell which kind of model " + path + " is")


def load(path):
    return sniff_kind(path)(path)
