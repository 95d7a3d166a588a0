"""The Python baseline of the detection benchmark: YOLOv8n behind POST /predict, written the way vendors and
the Ultralytics ONNX examples write it (Flask, served by gunicorn sync workers, like the legacy services).

    gunicorn -w 2 -b 127.0.0.1:5612 --chdir benchmarks/detection python_service:app

Pipeline (the one expected.json beside the model describes):
  cv2.imdecode (BGR) -> Ultralytics LetterBox to 320x320 (centred, pad 114) -> BGR->RGB, /255, NCHW float32
  -> onnxruntime InferenceSession (CPU provider, default session options) -> output0 [1,84,N]
  -> numpy decoding (score = max class score, class = argmax, conf > 0.25) -> class-aware greedy NMS in numpy
  (IoU 0.45 on xyxy in network-input pixels, max_det 300) -> boxes mapped back to original pixels, clipped.

The body is the raw image (Content-Type image/jpeg, image/png, application/octet-stream) or a multipart form
with the image as its (first) file. Answer:
  {"model_name", "task": "detection", "image": {"width", "height"},
   "detections": [{"box": [x1, y1, x2, y2], "score", "class_id", "label"}]}

env: DET_MODEL_PATH  the .onnx (default ../shared/models/vision/yolov8n_int8_320/yolov8n_int8.onnx from the
                     repository root; the model is AGPL-3.0 and is never copied into this repository)
     DET_CONF, DET_IOU, DET_MAX_DET   thresholds (defaults 0.25, 0.45, 300)
"""
import ast
import os

import cv2
import numpy as np
import onnxruntime as ort
from flask import Flask, jsonify, request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEFAULT_MODEL = os.path.join(ROOT, "..", "shared", "models", "vision", "yolov8n_int8_320", "yolov8n_int8.onnx")

MODEL_PATH = os.path.abspath(os.environ.get("DET_MODEL_PATH", DEFAULT_MODEL))
CONF = float(os.environ.get("DET_CONF", "0.25"))
IOU = float(os.environ.get("DET_IOU", "0.45"))
MAX_DET = int(os.environ.get("DET_MAX_DET", "300"))
MAX_WH = 7680  # Ultralytics' class offset for class-aware NMS in one pass


class Detector:
    def __init__(self, path):
        self.session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        inp = self.session.get_inputs()[0]
        self.input_name = inp.name
        self.input_h, self.input_w = int(inp.shape[2]), int(inp.shape[3])
        meta = self.session.get_modelmeta().custom_metadata_map
        names = ast.literal_eval(meta["names"]) if "names" in meta else {}
        self.labels = {int(k): v for k, v in names.items()}
        self.model_name = os.path.splitext(os.path.basename(path))[0]

    def letterbox(self, img):
        """Ultralytics LetterBox(auto=False, center=True): returns the padded image, the scale and the pads."""
        h, w = img.shape[:2]
        r = min(self.input_h / h, self.input_w / w)
        new_w, new_h = int(round(w * r)), int(round(h * r))
        dw, dh = (self.input_w - new_w) / 2, (self.input_h - new_h) / 2
        if (w, h) != (new_w, new_h):
            img = cv2.resize(img, (new_w, new_h), interpolation=cv2.INTER_LINEAR)
        top, bottom = int(round(dh - 0.1)), int(round(dh + 0.1))
        left, right = int(round(dw - 0.1)), int(round(dw + 0.1))
        img = cv2.copyMakeBorder(img, top, bottom, left, right, cv2.BORDER_CONSTANT, value=(114, 114, 114))
        return img, r, left, top

    def preprocess(self, img):
        padded, r, left, top = self.letterbox(img)
        x = padded[:, :, ::-1].transpose(2, 0, 1)  # BGR->RGB, HWC->CHW
        x = np.ascontiguousarray(x, dtype=np.float32) / 255.0
        return x[None], r, left, top

    @staticmethod
    def nms(boxes, scores, iou_threshold):
        """Greedy NMS in numpy (the loop every YOLO ONNX example carries); boxes xyxy. @return kept indices"""
        x1, y1, x2, y2 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
        areas = (x2 - x1) * (y2 - y1)
        order = scores.argsort()[::-1]
        keep = []
        while order.size > 0:
            i = order[0]
            keep.append(i)
            xx1 = np.maximum(x1[i], x1[order[1:]])
            yy1 = np.maximum(y1[i], y1[order[1:]])
            xx2 = np.minimum(x2[i], x2[order[1:]])
            yy2 = np.minimum(y2[i], y2[order[1:]])
            inter = np.maximum(0.0, xx2 - xx1) * np.maximum(0.0, yy2 - yy1)
            iou = inter / (areas[i] + areas[order[1:]] - inter + 1e-9)
            order = order[1:][iou <= iou_threshold]
        return np.array(keep, dtype=np.int64)

    def postprocess(self, output, r, left, top, orig_w, orig_h):
        pred = output[0].T  # [N, 4 + classes]
        class_scores = pred[:, 4:]
        class_ids = class_scores.argmax(axis=1)
        scores = class_scores[np.arange(len(class_ids)), class_ids]
        mask = scores > CONF
        pred, scores, class_ids = pred[mask], scores[mask], class_ids[mask]
        if len(scores) == 0:
            return []
        cx, cy, bw, bh = pred[:, 0], pred[:, 1], pred[:, 2], pred[:, 3]
        boxes = np.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], axis=1)
        # Class-aware: boxes of different classes are shifted apart so that they never overlap.
        keep = self.nms(boxes + class_ids[:, None] * MAX_WH, scores, IOU)[:MAX_DET]
        boxes, scores, class_ids = boxes[keep], scores[keep], class_ids[keep]
        boxes[:, [0, 2]] = ((boxes[:, [0, 2]] - left) / r).clip(0, orig_w)
        boxes[:, [1, 3]] = ((boxes[:, [1, 3]] - top) / r).clip(0, orig_h)
        return [
            {"box": [round(float(v), 2) for v in box], "score": round(float(s), 5), "class_id": int(c),
             "label": self.labels.get(int(c), str(int(c)))}
            for box, s, c in zip(boxes, scores, class_ids)
        ]

    def detect(self, data):
        img = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
        if img is None:
            raise ValueError("cannot decode the image")
        orig_h, orig_w = img.shape[:2]
        x, r, left, top = self.preprocess(img)
        output = self.session.run(None, {self.input_name: x})[0]
        return orig_w, orig_h, self.postprocess(output, r, left, top, orig_w, orig_h)


app = Flask(__name__)
detector = Detector(MODEL_PATH)  # gunicorn imports this module in each worker: one session per worker


@app.route("/predict", methods=["POST"])
def predict():
    if request.files:
        data = next(iter(request.files.values())).read()
    else:
        data = request.get_data()
    if not data:
        return jsonify({"error": "no image in the request"}), 400
    try:
        width, height, detections = detector.detect(data)
    except ValueError as e:
        return jsonify({"error": str(e)}), 400
    except Exception as e:  # vendor services answer every other failure the same way
        return jsonify({"error": str(e)}), 500
    return jsonify({"model_name": detector.model_name, "task": "detection",
                    "image": {"width": width, "height": height}, "detections": detections})


@app.route("/health", methods=["GET"])
def health():
    return jsonify({"status": "ok"})


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "5612")))
