"""What fastapi_onnx.py does per request, step by step, on one image: Pillow decode, RGB conversion and bilinear
resize, numpy scale and NCHW layout, the onnxruntime run (one thread, as each FastAPI worker), the JSON answer.
Prints one line: STEPS decode=ms resize_scale=ms engine=ms render=ms (means of 300 runs after 30 of warm-up).

    python python_steps.py MODEL.onnx IMAGE
"""
import io
import json
import sys
import time

import numpy as np
import onnxruntime as ort
from PIL import Image

options = ort.SessionOptions()
options.intra_op_num_threads = 1
options.inter_op_num_threads = 1
session = ort.InferenceSession(sys.argv[1], options, providers=["CPUExecutionProvider"])
name = session.get_inputs()[0].name
_, _, height, width = session.get_inputs()[0].shape
body = open(sys.argv[2], "rb").read()
totals = {"decode": 0.0, "resize_scale": 0.0, "engine": 0.0, "render": 0.0}
runs = 300
for i in range(runs + 30):
    t0 = time.perf_counter()
    image = Image.open(io.BytesIO(body))
    image.load()
    t1 = time.perf_counter()
    x = (np.asarray(image.convert("RGB").resize((width, height), Image.BILINEAR), dtype=np.float32) / 255.0)
    x = x.transpose(2, 0, 1)[None]
    t2 = time.perf_counter()
    scores = session.run(None, {name: x})[0][0]
    t3 = time.perf_counter()
    best = int(scores.argmax())
    json.dumps({"predictions": [scores.tolist()], "top_k": [{"index": best, "score": float(scores[best])}]})
    t4 = time.perf_counter()
    if i >= 30:
        for k, v in zip(totals, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
            totals[k] += v
print("STEPS " + " ".join(f"{k}={v / runs * 1e3:.3f}" for k, v in totals.items()))
