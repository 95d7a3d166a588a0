#!/usr/bin/env python3
"""Manual check (not run by the build): a running server answers what tritonclient's and KServe's HTTP
clients put on the wire, as ../shared/PROTOCOLS.md a, c, d and e describe it, sent here with plain
`requests` + numpy (neither client is in the local package index).

    python3 -m venv /tmp/v && PIP_INDEX_URL=file:///opt/pypi/simple /tmp/v/bin/pip install requests numpy
    server/bin/model-server --model model-loaders/src/test/fixtures/onnx/tiny_cnn/model.onnx --port 5055 &
    /tmp/v/bin/python server/src/test/manual/oip_wire_check.py http://127.0.0.1:5055 \
        model-loaders/src/test/fixtures/images/cat32.png

Prints one line per check and exits non-zero if any failed.
"""
import base64
import gzip
import json
import struct
import sys
import zlib

import numpy as np
import requests

BASE, IMAGE = sys.argv[1], sys.argv[2]
failed = []


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + (": " + detail if detail else ""))
    if not ok:
        failed.append(name)


def triton_body(inputs, outputs=None, binary_outputs=True):
    """tritonclient.http._utils._get_inference_request: inputs binary by default (set_data_from_numpy),
    outputs InferRequestedOutput(name, binary_data=True), or binary_data_output when none are given."""
    tail = b""
    req = {"inputs": []}
    for name, array, datatype in inputs:
        raw = serialize_bytes(array) if datatype == "BYTES" else array.tobytes()
        req["inputs"].append({"name": name, "shape": list(array.shape), "datatype": datatype,
                              "parameters": {"binary_data_size": len(raw)}})
        tail += raw
    if outputs:
        req["outputs"] = [{"name": o, "parameters": {"binary_data": binary_outputs}} for o in outputs]
    else:
        req["parameters"] = {"binary_data_output": True}
    head = json.dumps(req).encode()
    return head + tail, len(head)


def serialize_bytes(array):
    """tritonclient.utils.serialize_byte_tensor: per element a <I length, then the bytes."""
    return b"".join(struct.pack("<I", len(e)) + e for e in array.flatten())


def split(resp):
    """tritonclient.http._infer_result: JSON of Inference-Header-Content-Length bytes, then the tail."""
    n = resp.headers.get("Inference-Header-Content-Length")
    body = resp.content
    if n is None:
        return json.loads(body), {}
    head = json.loads(body[:int(n)])
    at, out = int(n), {}
    for o in head["outputs"]:
        size = o.get("parameters", {}).get("binary_data_size")
        if size is not None:
            out[o["name"]] = np.frombuffer(body[at:at + size], dtype=np.float32).reshape(o["shape"])
            at += size
    return head, out


meta = requests.get(BASE + "/v2").json()
check("GET /v2 extensions", "binary_tensor_data" in meta["extensions"], str(meta["extensions"]))
model = requests.get(BASE + "/model").json()["name"]
infer = f"{BASE}/v2/models/{model}/infer"
config = requests.get(f"{BASE}/v2/models/{model}/config").json()
check("get_model_config max_batch_size and input format", config["max_batch_size"] > 0
      and config["input"][0]["format"] in ("FORMAT_NCHW", "FORMAT_NHWC"), f"max_batch_size={config['max_batch_size']}")

x = (np.arange(3 * 32 * 32, dtype=np.float32).reshape(1, 3, 32, 32) % 7) / 7
body, n = triton_body([("input", x, "FP32")], ["logits"])
r = requests.post(infer, data=body, headers={"Inference-Header-Content-Length": str(n)})
head, outs = split(r)
check("tritonclient binary infer", r.status_code == 200 and r.headers["Content-Type"] == "application/octet-stream"
      and outs["logits"].shape == (1, 10), f"{r.status_code} {r.headers.get('Content-Type')} id={head.get('id')}")
reference = outs.get("logits")

jr = requests.post(infer, json={"inputs": [{"name": "input", "shape": [1, 3, 32, 32], "datatype": "FP32",
                                            "data": x.flatten().tolist()}]})
jlogits = np.array(jr.json()["outputs"][0]["data"], dtype=np.float32).reshape(1, 10)
check("JSON and binary outputs bit-identical", np.array_equal(jlogits.view(np.uint32), reference.view(np.uint32)))

body, n = triton_body([("input", x, "FP32")])  # no outputs: binary_data_output
r = requests.post(infer, data=gzip.compress(body), headers={"Inference-Header-Content-Length": str(n),
                  "Content-Encoding": "gzip", "Accept-Encoding": "gzip"})
head, outs = split(r)  # requests inflates Content-Encoding before we split, as tritonclient does
check("gzip request and response (request_compression_algorithm='gzip')", r.status_code == 200
      and r.headers.get("Content-Encoding") == "gzip" and np.array_equal(outs["logits"], reference))
r = requests.post(infer, data=zlib.compress(body), headers={"Inference-Header-Content-Length": str(n),
                  "Content-Encoding": "deflate", "Accept-Encoding": "deflate"})
check("deflate (zlib.compress) request and response", r.status_code == 200
      and np.array_equal(split(r)[1]["logits"], reference), r.headers.get("Content-Encoding", ""))

# KServe InferenceRESTClient: octet-stream with binary, header name in lower case
r = requests.post(infer, data=body, headers={"content-type": "application/octet-stream",
                                             "inference-header-content-length": str(n)})
check("KServe REST client binary infer", r.status_code == 200 and "id" in split(r)[0], str(r.status_code))

png = open(IMAGE, "rb").read()
body, n = triton_body([("input", np.array([png], dtype=np.object_), "BYTES")], ["logits"])
r = requests.post(infer, data=body, headers={"Inference-Header-Content-Length": str(n)})
check("encoded PNG as a binary BYTES tensor", r.status_code == 200, str(r.status_code))
pr = requests.post(BASE + "/predict", data=png, headers={"Content-Type": "image/png"}).json()
same = np.array_equal(np.array(pr["outputs"][0]["data"], dtype=np.float32), split(r)[1]["logits"].flatten())
check("BYTES image and /predict bit-identical", same)
b64 = base64.b64encode(png).decode()
v1 = requests.post(f"{BASE}/v1/models/{model}:predict", json={"instances": [{"b64": b64}]}).json()
check("TF Serving :predict with {b64}", np.array_equal(np.array(v1["predictions"][0], dtype=np.float32),
                                                        split(r)[1]["logits"].flatten()))

stats = requests.get(f"{BASE}/v2/models/{model}/stats").json()["model_stats"][0]
check("get_inference_statistics", stats["inference_count"] > 0, f"inference_count={stats['inference_count']}")
index = requests.post(BASE + "/v2/repository/index", data=b"").json()
check("get_model_repository_index", index[0]["state"] == "READY", json.dumps(index))
status = requests.get(f"{BASE}/v1/models/{model}").json()
check("TF Serving model status", status["model_version_status"][0]["state"] == "AVAILABLE")

bad_head = b'{"inputs":[{"name":"input","shape":[1,2],"datatype":"FP32","parameters":{"binary_data_size":8}}]}'
bad = requests.post(infer, data=bad_head + b"\0" * 4, headers={"Inference-Header-Content-Length": str(len(bad_head))})
check("error: 400 with Content-Type exactly application/json", bad.status_code == 400
      and bad.headers["Content-Type"] == "application/json", bad.json().get("error", "")[:80])
sys.exit(1 if failed else 0)
