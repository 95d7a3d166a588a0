"""The Ray Serve peer: one replica per core, each an onnxruntime session of one thread, requests batched by
@serve.batch (up to 8, 2 ms), the same work per request as the runtime's /predict (Pillow decode and bilinear
resize, [0, 1], NCHW float32, the legacy JSON answer).

    MODEL=path/model.onnx python ray_serve_onnx.py PORT      (serves POST /predict until killed)
"""
import io
import os
import signal
import sys

import numpy as np
import onnxruntime as ort
import ray
from PIL import Image
from ray import serve
from starlette.requests import Request
from starlette.responses import JSONResponse


@serve.deployment(num_replicas=int(os.environ.get("REPLICAS", "2")), ray_actor_options={"num_cpus": 0})
class Classifier:
    def __init__(self, model):
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        self.name = self.session.get_inputs()[0].name
        _, _, self.height, self.width = self.session.get_inputs()[0].shape

    @serve.batch(max_batch_size=8, batch_wait_timeout_s=0.002)
    async def scores(self, images):
        return list(self.session.run(None, {self.name: np.stack(images)})[0])

    async def __call__(self, request: Request):
        body = await request.body()
        try:
            image = Image.open(io.BytesIO(body)).convert("RGB").resize((self.width, self.height), Image.BILINEAR)
        except Exception as e:  # noqa: BLE001 - any undecodable body is the client's error
            return JSONResponse({"error": f"not an image: {e}"}, status_code=400)
        x = (np.asarray(image, dtype=np.float32) / 255.0).transpose(2, 0, 1)
        scores = await self.scores(x)
        best = int(scores.argmax())
        return JSONResponse({"predictions": [scores.tolist()], "top_k": [{"index": best, "score": float(scores[best])}]})


if __name__ == "__main__":
    ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False)
    serve.start(http_options={"host": "127.0.0.1", "port": int(sys.argv[1])})
    serve.run(Classifier.bind(os.environ["MODEL"]), route_prefix="/predict")
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    serve.shutdown()
