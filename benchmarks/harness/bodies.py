"""Request bodies for every route the harness drives, written once per model into files the load tools send.

A model input is described by what the runtime's own metadata says (GET /v2/models/<name>): its name,
datatype and shape. Float tensors hold random values; encoded-image requests carry the same PNGs as
/predict. Formats (see ../../../shared/PROTOCOLS.md):
  v2-json     Open Inference Protocol JSON, `data` flat
  v2-binary   the binary tensor data extension: JSON header (Inference-Header-Content-Length) + raw bytes
  v2-bytes    the same with the image input as a BYTES tensor (4-byte little-endian length + PNG)
  v1-b64      TF Serving row format with {"b64": ...} image values
  grpc        inference.GRPCInferenceService/ModelInfer, raw_input_contents, gRPC length-prefixed framing
  grpc-bytes  the same with the image as a BYTES tensor
"""
import base64
import json
import os
import random
import struct


def float_input_shape(spec, item_shape):
    shape = [1 if (d is None or d < 0) else d for d in spec.get("shape", [])]
    if item_shape and len(shape) == len(item_shape) + 1:
        shape = [1] + list(item_shape)
    if shape:
        shape[0] = 1
    return shape


def count(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def random_floats(n, seed):
    rng = random.Random(seed)
    return [round(rng.random(), 4) for _ in range(n)]


def write(path, data, headers=None):
    with open(path, "wb") as f:
        f.write(data)
    sidecar = path + ".headers"
    if headers:
        with open(sidecar, "w") as f:
            f.write("".join(f"{k}: {v}\n" for k, v in headers.items()))
    elif os.path.exists(sidecar):
        os.remove(sidecar)
    return path


def v2_json(out_dir, spec, shape, n_bodies=4):
    files = []
    for i in range(n_bodies):
        body = {"inputs": [{"name": spec["name"], "shape": shape, "datatype": spec.get("datatype", "FP32"),
                            "data": random_floats(count(shape), 7 + i)}]}
        files.append(write(os.path.join(out_dir, f"v2-json-{i}.json"),
                           json.dumps(body, separators=(",", ":")).encode()))
    return files


def binary_request(name, datatype, shape, raw):
    """As tritonclient sends it by default: binary input, and every output asked for in binary."""
    header = json.dumps({"inputs": [{"name": name, "shape": shape, "datatype": datatype,
                                     "parameters": {"binary_data_size": len(raw)}}],
                         "parameters": {"binary_data_output": True}},
                        separators=(",", ":")).encode()
    return header + raw, {"Inference-Header-Content-Length": str(len(header))}


def v2_binary(out_dir, spec, shape, n_bodies=4):
    files = []
    for i in range(n_bodies):
        raw = struct.pack(f"<{count(shape)}f", *random_floats(count(shape), 7 + i))
        body, headers = binary_request(spec["name"], "FP32", shape, raw)
        files.append(write(os.path.join(out_dir, f"v2-binary-{i}.bin"), body, headers))
    return files


def bytes_element(png):
    return struct.pack("<I", len(png)) + png


def v2_bytes(out_dir, name, images, tag="png"):
    files = []
    for i, p in enumerate(images):
        with open(p, "rb") as f:
            encoded = f.read()
        body, headers = binary_request(name, "BYTES", [1], bytes_element(encoded))
        files.append(write(os.path.join(out_dir, f"v2-bytes-{tag}-{i}.bin"), body, headers))
    return files


def v1_b64(out_dir, name, pngs):
    files = []
    for i, p in enumerate(pngs):
        with open(p, "rb") as f:
            png = f.read()
        body = {"instances": [{name: {"b64": base64.b64encode(png).decode()}}]}
        files.append(write(os.path.join(out_dir, f"v1-b64-{i}.json"), json.dumps(body).encode()))
    return files


# --- protobuf, by hand (the harness is standard library only) ---------------------------------------------


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field_bytes(number, data):
    return varint(number << 3 | 2) + varint(len(data)) + data


def model_infer_request(model, name, datatype, shape, raw):
    """ModelInferRequest (grpc_predict_v2.proto): model_name=1, inputs=5 {name=1, datatype=2, shape=3
    (packed int64)}, raw_input_contents=7."""
    packed = b"".join(varint(d) for d in shape)
    tensor = field_bytes(1, name.encode()) + field_bytes(2, datatype.encode()) + field_bytes(3, packed)
    return field_bytes(1, model.encode()) + field_bytes(5, tensor) + field_bytes(7, raw)


def grpc_frame(message):
    return b"\x00" + struct.pack(">I", len(message)) + message


def grpc_float(out_dir, model, spec, shape):
    raw = struct.pack(f"<{count(shape)}f", *random_floats(count(shape), 7))
    return write(os.path.join(out_dir, "grpc-fp32.bin"),
                 grpc_frame(model_infer_request(model, spec["name"], "FP32", shape, raw)))


def grpc_bytes(out_dir, model, name, png_path):
    with open(png_path, "rb") as f:
        png = f.read()
    return write(os.path.join(out_dir, "grpc-bytes.bin"),
                 grpc_frame(model_infer_request(model, name, "BYTES", [1], bytes_element(png))))
