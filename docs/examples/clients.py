#!/usr/bin/env python3
"""Runs the Python `requests` examples of docs/clients.md against a live server and checks their answers.

    server/bin/model-server &            # the quick start's default model
    python3 docs/examples/clients.py [http://localhost:5000]

Needs `requests` (pip install requests). Exits non-zero when an example's answer is not what the page says.
"""
import base64
import sys

import requests

url = sys.argv[1] if len(sys.argv) > 1 else "http://localhost:5000"
png = open("server/src/main/default-model/sample-3.png", "rb").read()

r = requests.post(f"{url}/predict", params={"top_k": 3}, data=png, headers={"Content-Type": "image/png"})
r.raise_for_status()
top = r.json()["top_k"]
best = top[0][0] if isinstance(top[0], list) else top[0]
assert best["label"] == "3", top
print("predict top_k:", best)

meta = requests.get(f"{url}/v2/models/default-model").json()
name = meta["parameters"]["encoded_image_input"]
body = {"inputs": [{"name": name, "datatype": "BYTES", "shape": [1], "data": [base64.b64encode(png).decode()],
                    "parameters": {"content_type": "base64"}}]}
out = requests.post(f"{url}/v2/models/default-model/infer", json=body)
out.raise_for_status()
print("v2 encoded image:", out.json()["outputs"][0]["shape"])

bad = requests.post(f"{url}/predict", data=b"GIF89a", headers={"Content-Type": "image/gif"})
assert 400 <= bad.status_code < 500 and "error" in bad.json(), bad.text
print("bad image:", bad.status_code, bad.json()["error"])
print("ok")
