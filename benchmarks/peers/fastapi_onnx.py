"""The peer a user would write instead of running this runtime: FastAPI + uvicorn + onnxruntime, one
single-threaded session per worker process (uvicorn --workers 2 on 2 cores), the same work per request as
the runtime's /predict: decode the image (Pillow), resize to the model's input size (bilinear), scale to
[0, 1], NCHW float32, run, answer the legacy JSON ({"predictions": [[scores]], "top_k": [{index, score}]}).

    MODEL=path/model.onnx uvicorn --workers 2 --port 8001 fastapi_onnx:app
"""
import io
import os

import numpy as np
import onnxruntime as ort
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from PIL import Image

options = ort.SessionOptions()
options.intra_op_num_threads = int(os.environ.get("INTRA_OP_THREADS", "1"))
options.inter_op_num_threads = 1
session = ort.InferenceSession(os.environ["MODEL"], options, providers=["CPUExecutionProvider"])
name = session.get_inputs()[0].name
_, _, height, width = session.get_inputs()[0].shape
app = FastAPI()


@app.post("/predict")
async def predict(request: Request):
    body = await request.body()
    try:
        image = Image.open(io.BytesIO(body)).convert("RGB").resize((width, height), Image.BILINEAR)
    except Exception as e:  # noqa: BLE001 - any undecodable body is the client's error
        return JSONResponse({"error": f"not an image: {e}"}, status_code=400)
    x = (np.asarray(image, dtype=np.float32) / 255.0).transpose(2, 0, 1)[None]
    scores = session.run(None, {name: x})[0][0]
    best = int(scores.argmax())
    return JSONResponse({"predictions": [scores.tolist()], "top_k": [{"index": best, "score": float(scores[best])}]})


@app.get("/health")
def health():
    return Response(status_code=200)
