#!/usr/bin/env python3
"""Manual check of the gRPC surface with a client that is not ours: Python grpcio and messages generated
from the OFFICIAL Triton grpc_service.proto (../shared/schemas/grpc/triton), every RPC called the way
tritonclient.grpc calls it (PROTOCOLS.md b.*): raw_input_contents, outputs read from raw_output_contents,
uint64 priority, int64 timeout, INT32_MAX message sizes, gzip/deflate compression.

Not run by the tests (tests never need Python). grpcio-tools is not in the local package index, so the
messages come from protoc's own --python_out (the protoc the Maven build downloads) and the RPCs are
called by method path, as the generated stubs would:

    python3 -m venv /tmp/grpcvenv && PIP_INDEX_URL=file:///opt/pypi/simple /tmp/grpcvenv/bin/pip install grpcio protobuf numpy
    mkdir -p /tmp/triton-pb && server/target/protoc-plugins/protoc-*-linux-x86_64.exe \\
        -I ../shared/schemas/grpc/triton --python_out=/tmp/triton-pb grpc_service.proto model_config.proto
    server/bin/model-server --model-name cnn &      # the bundled tiny CNN; gRPC on 5000 and 8081
    /tmp/grpcvenv/bin/python benchmarks/grpc/triton_grpc_check.py --pb /tmp/triton-pb --port 8081 --model cnn

Exits non-zero on the first check that fails.
"""
import argparse
import json
import pathlib
import struct
import sys

import grpc
import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "model-loaders" / "src" / "test" / "fixtures"
SERVICE = "/inference.GRPCInferenceService/"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pb", required=True, help="folder with grpc_service_pb2.py, model_config_pb2.py")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8081)
    ap.add_argument("--model", default="cnn")
    args = ap.parse_args()
    sys.path.insert(0, args.pb)
    import grpc_service_pb2 as pb  # noqa: E402  (generated from the official proto)

    # tritonclient.grpc.InferenceServerClient's channel options
    opts = [("grpc.max_send_message_length", 2**31 - 1), ("grpc.max_receive_message_length", 2**31 - 1)]
    channel = grpc.insecure_channel(f"{args.host}:{args.port}", options=opts)

    def rpc(name, request, response_type, compression=None):
        call = channel.unary_unary(SERVICE + name, request_serializer=lambda m: m.SerializeToString(),
                                   response_deserializer=response_type.FromString)
        return call(request, timeout=30, compression=compression)

    def check(what, ok, detail=""):
        print(("ok   " if ok else "FAIL ") + what + (f"  ({detail})" if detail else ""))
        if not ok:
            sys.exit(1)

    m = args.model
    check("ServerLive", rpc("ServerLive", pb.ServerLiveRequest(), pb.ServerLiveResponse).live)
    check("ServerReady", rpc("ServerReady", pb.ServerReadyRequest(), pb.ServerReadyResponse).ready)
    check("ModelReady", rpc("ModelReady", pb.ModelReadyRequest(name=m, version=""), pb.ModelReadyResponse).ready)
    meta = rpc("ServerMetadata", pb.ServerMetadataRequest(), pb.ServerMetadataResponse)
    check("ServerMetadata", meta.name != "", f"{meta.name} {meta.version} {list(meta.extensions)}")
    md = rpc("ModelMetadata", pb.ModelMetadataRequest(name=m, version=""), pb.ModelMetadataResponse)
    check("ModelMetadata", md.name == m and md.inputs[0].datatype == "FP32",
          f"platform {md.platform}, input {md.inputs[0].name} {list(md.inputs[0].shape)}")
    cfg = rpc("ModelConfig", pb.ModelConfigRequest(name=m, version=""), pb.ModelConfigResponse).config
    check("ModelConfig", cfg.name == m and cfg.max_batch_size > 0,
          f"max_batch_size {cfg.max_batch_size}, input format {cfg.input[0].format} (2 = FORMAT_NCHW), "
          f"dims {list(cfg.input[0].dims)}")
    idx = rpc("RepositoryIndex", pb.RepositoryIndexRequest(repository_name="", ready=False), pb.RepositoryIndexResponse)
    check("RepositoryIndex", [(x.name, x.state) for x in idx.models] == [(m, "READY")],
          str([(x.name, x.version, x.state) for x in idx.models]))

    ref = json.loads((FIXTURES / "onnx" / "tiny_cnn" / "reference.json").read_text())
    x = np.array(ref["inputs"]["input"]["data"], dtype=np.float32).reshape(ref["inputs"]["input"]["shape"])
    expected = np.array(ref["outputs"]["logits"]["data"], dtype=np.float32).reshape(ref["outputs"]["logits"]["shape"])

    def infer_request(name, datatype, shape, raw, rid="py-1"):
        r = pb.ModelInferRequest(model_name=m, model_version="", id=rid)
        t = r.inputs.add()
        t.name, t.datatype = name, datatype
        t.shape.extend(shape)
        r.outputs.add().name = "logits"
        r.parameters["priority"].uint64_param = 1        # as tritonclient sends priority
        r.parameters["timeout"].int64_param = 30_000_000  # microseconds
        r.raw_input_contents.append(raw)
        return r

    for comp in (None, grpc.Compression.Gzip, grpc.Compression.Deflate):
        res = rpc("ModelInfer", infer_request("input", "FP32", x.shape, x.tobytes()), pb.ModelInferResponse, comp)
        out = np.frombuffer(res.raw_output_contents[0], dtype=np.float32).reshape(list(res.outputs[0].shape))
        diff = np.abs(out - expected).max()
        check(f"ModelInfer FP32 raw, compression {comp.name if comp else None}", res.id == "py-1" and diff < 1e-4,
              f"shape {list(res.outputs[0].shape)}, max |diff| {diff:.2e}")

    png = (FIXTURES / "images" / "cat32.png").read_bytes()
    raw = struct.pack("<I", len(png)) + png              # tritonclient's serialize_byte_tensor
    res = rpc("ModelInfer", infer_request("input", "BYTES", [1], raw), pb.ModelInferResponse)
    out = np.frombuffer(res.raw_output_contents[0], dtype=np.float32)
    img = np.array(ref["image"]["outputs"]["logits"]["data"], dtype=np.float32)
    check("ModelInfer image as BYTES", np.abs(out - img).max() < 1e-4, f"max |diff| {np.abs(out - img).max():.2e}")

    st = rpc("ModelStatistics", pb.ModelStatisticsRequest(name=m, version=""), pb.ModelStatisticsResponse)
    s = st.model_stats[0]
    check("ModelStatistics", len(st.model_stats) == 1 and s.inference_count > 0,
          f"inference_count {s.inference_count}, execution_count {s.execution_count}, "
          f"success {s.inference_stats.success.count}, batch sizes {[b.batch_size for b in s.batch_stats]}")

    for what, req, code in [
            ("unknown model", pb.ModelInferRequest(model_name="nope"), grpc.StatusCode.NOT_FOUND),
            ("bad raw size", infer_request("input", "FP32", [1, 3, 32, 32], b"\0" * 100), grpc.StatusCode.INVALID_ARGUMENT)]:
        try:
            rpc("ModelInfer", req, pb.ModelInferResponse)
            check(f"ModelInfer {what} refused", False)
        except grpc.RpcError as e:
            check(f"ModelInfer {what}: {code.name}", e.code() == code, e.details())
    try:
        rpc("ModelStreamInfer", pb.ModelInferRequest(), pb.ModelStreamInferResponse)
        check("ModelStreamInfer refused", False)
    except grpc.RpcError as e:
        check("ModelStreamInfer: UNIMPLEMENTED", e.code() == grpc.StatusCode.UNIMPLEMENTED, e.details())
    print("all checks passed")


if __name__ == "__main__":
    main()
