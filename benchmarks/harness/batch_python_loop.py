"""The Python side of the batch benchmark: a plain loop over the same files with Pillow + onnxruntime,
preprocessing as the legacy service does (legacy/local_utilities.universal_image_process), one image per
session.run. Runs in the legacy venv.

usage: python batch_python_loop.py MODEL.onnx IMAGE_DIR OUT.json [--top-k K]
Writes {"images", "seconds" (the loop, model loaded), "load_seconds", "images_per_s", "top1": {name: index}}.
"""
import json
import os
import sys
import time

import numpy as np
import onnxruntime as ort

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "legacy"))
from local_utilities import universal_image_process  # noqa: E402


def main():
    model, image_dir, out = sys.argv[1:4]
    t0 = time.perf_counter()
    session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    inp = session.get_inputs()[0]
    shape = tuple(inp.shape[1:])
    load = time.perf_counter() - t0
    files = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(image_dir) for f in fs if not f.startswith("."))
    top1 = {}
    start = time.perf_counter()
    for path in files:
        with open(path, "rb") as f:
            x = universal_image_process(f.read(), shape, channels_first=True)
        scores = session.run(None, {inp.name: x})[0]
        top1[os.path.relpath(path, image_dir)] = int(np.argmax(scores[0]))
    seconds = time.perf_counter() - start
    with open(out, "w") as f:
        json.dump(dict(images=len(files), seconds=seconds, load_seconds=load,
                       images_per_s=len(files) / seconds if seconds > 0 else None,
                       onnxruntime=ort.__version__, top1=top1), f)
    print(f"python loop: {len(files)} images in {seconds:.2f} s ({len(files) / seconds:.1f} images/s), "
          f"session created in {load:.2f} s")


if __name__ == "__main__":
    main()
