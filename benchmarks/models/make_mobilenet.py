"""Generates the compute-bound benchmark models with random weights (no weights are downloaded).

MobileNetV2 (Sandler et al. 2018, width 1.0, 224x224, 1000 classes) is defined here because torchvision
is not on the local index; it is exported to ONNX and TorchScript. Keras' own MobileNetV2
(weights=None) is saved as a legacy H5 file. Also writes 224x224 and 32x32 PNG and JPEG inputs.

usage: python make_mobilenet.py OUT_DIR
"""
import os
import sys

import numpy as np

SEED = 20261121


def torch_models(out):
    import torch
    from torch import nn

    def conv_bn(inp, outp, kernel, stride, groups=1):
        return nn.Sequential(
            nn.Conv2d(inp, outp, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False),
            nn.BatchNorm2d(outp),
            nn.ReLU6(inplace=True),
        )

    class InvertedResidual(nn.Module):
        def __init__(self, inp, outp, stride, expand):
            super().__init__()
            hidden = inp * expand
            self.use_residual = stride == 1 and inp == outp
            layers = []
            if expand != 1:
                layers.append(conv_bn(inp, hidden, 1, 1))
            layers += [
                conv_bn(hidden, hidden, 3, stride, groups=hidden),
                nn.Conv2d(hidden, outp, 1, 1, 0, bias=False),
                nn.BatchNorm2d(outp),
            ]
            self.block = nn.Sequential(*layers)

        def forward(self, x):
            return x + self.block(x) if self.use_residual else self.block(x)

    class MobileNetV2(nn.Module):
        # (expansion t, output channels c, repeats n, first stride s), from the paper's Table 2.
        SETTINGS = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                    (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]

        def __init__(self, classes=1000):
            super().__init__()
            layers = [conv_bn(3, 32, 3, 2)]
            inp = 32
            for t, c, n, s in self.SETTINGS:
                for i in range(n):
                    layers.append(InvertedResidual(inp, c, s if i == 0 else 1, t))
                    inp = c
            layers.append(conv_bn(inp, 1280, 1, 1))
            self.features = nn.Sequential(*layers)
            self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(1280, classes))
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out")
                elif isinstance(m, nn.BatchNorm2d):
                    # Random running statistics so BatchNorm is not an identity the exporter could fold away.
                    nn.init.uniform_(m.weight, 0.5, 1.5)
                    nn.init.uniform_(m.bias, -0.1, 0.1)
                    m.running_mean.uniform_(-0.1, 0.1)
                    m.running_var.uniform_(0.5, 1.5)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.01)
                    nn.init.zeros_(m.bias)

        def forward(self, x):
            x = self.features(x)
            x = x.mean([2, 3])
            return self.classifier(x)

    torch.manual_seed(SEED)
    model = MobileNetV2().eval()
    example = torch.rand(1, 3, 224, 224)
    with torch.no_grad():
        traced = torch.jit.trace(model, example)
        reference = model(example).numpy()
    ts_dir = os.path.join(out, "torchscript_mobilenetv2")
    os.makedirs(ts_dir, exist_ok=True)
    traced.save(os.path.join(ts_dir, "model.pt"))

    onnx_dir = os.path.join(out, "onnx_mobilenetv2")
    os.makedirs(onnx_dir, exist_ok=True)
    onnx_path = os.path.join(onnx_dir, "model.onnx")
    torch.onnx.export(model, (example,), onnx_path, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=17,
                      dynamo=False)
    # Check both exports against the framework's own numbers before anything is measured.
    import onnxruntime as ort

    got = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"]).run(
        None, {"input": example.numpy()})[0]
    assert np.abs(got - reference).max() <= 1e-3, np.abs(got - reference).max()
    with torch.no_grad():
        assert np.abs(torch.jit.load(os.path.join(ts_dir, "model.pt"))(example).numpy() - reference).max() <= 1e-4


def tiny_models(out):
    """A tiny CNN ([N,3,32,32] -> [N,10]) for the overhead-bound regime when the repository's fixtures are absent."""
    import torch
    from torch import nn

    torch.manual_seed(SEED)
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 8 * 8, 10)).eval()
    example = torch.rand(1, 3, 32, 32)
    for sub, name in (("torchscript_tiny_cnn", "model.pt"), ("onnx_tiny_cnn", "model.onnx")):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    with torch.no_grad():
        torch.jit.trace(model, example).save(os.path.join(out, "torchscript_tiny_cnn", "model.pt"))
    torch.onnx.export(model, (example,), os.path.join(out, "onnx_tiny_cnn", "model.onnx"), input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                      opset_version=17, dynamo=False)

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    keras.utils.set_random_seed(SEED)
    inputs = keras.Input((32, 32, 3))
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(inputs)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Conv2D(16, 3, padding="same", activation="relu")(x)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Flatten()(x)
    outputs = keras.layers.Dense(10, activation="softmax")(x)
    os.makedirs(os.path.join(out, "keras_h5_tiny_cnn"), exist_ok=True)
    keras.Model(inputs, outputs).save(os.path.join(out, "keras_h5_tiny_cnn", "model.h5"))


def keras_model(out):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    keras.utils.set_random_seed(SEED)
    model = keras.applications.MobileNetV2(weights=None, input_shape=(224, 224, 3), classes=1000)
    h5_dir = os.path.join(out, "keras_h5_mobilenetv2")
    os.makedirs(h5_dir, exist_ok=True)
    model.save(os.path.join(h5_dir, "model.h5"))


def images(out):
    from PIL import Image

    rng = np.random.default_rng(SEED)
    img_dir = os.path.join(out, "images")
    os.makedirs(img_dir, exist_ok=True)
    for size in (224, 32):
        for i in range(4):
            # Smooth gradients plus noise: compresses like a photo, not like pure noise or a flat colour.
            y, x = np.mgrid[0:size, 0:size]
            base = np.stack([x * 255 / size, y * 255 / size, (x + y) * 127 / size], axis=-1)
            pixels = np.clip(base + rng.normal(0, 20, base.shape), 0, 255).astype(np.uint8)
            Image.fromarray(pixels, "RGB").save(os.path.join(img_dir, f"rgb{size}_{i}.png"))
            # The same picture as a JPEG: what a client sends as an encoded BYTES tensor (20 KB, not 600 KB).
            Image.fromarray(pixels, "RGB").save(os.path.join(img_dir, f"rgb{size}_{i}.jpg"), quality=90)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "work/models"
    os.makedirs(out, exist_ok=True)
    images(out)
    tiny_models(out)
    torch_models(out)
    keras_model(out)
    print("models written to", out)


if __name__ == "__main__":
    main()
