#!/usr/bin/env python3
"""Manual probe (the build runs the same storm with grpc-java and raw frames in GrpcCancelStormTest): a
Python grpcio client starts 5 concurrent ModelInfer calls on one channel and cancels 4 of them
(`future.cancel()`, what a client does on a deadline or a user abort), ROUNDS times; every uncancelled call
must succeed. Stubs are generated at run time from the server's own proto.

    python3 -m venv /tmp/g && PIP_INDEX_URL=file:///opt/pypi/simple /tmp/g/bin/pip install grpcio grpcio-tools
    server/bin/model-server --model model-loaders/src/test/fixtures/onnx/tiny_cnn/model.onnx --port 5055 \
        --grpc-port 5056 &
    /tmp/g/bin/python server/src/test/manual/grpc_cancel_storm.py 127.0.0.1:5055 127.0.0.1:5056

Prints the failures per target and exits non-zero if any uncancelled call failed.
"""
import os
import struct
import sys
import tempfile

import grpc
from grpc_tools import protoc

ROUNDS = int(os.environ.get("ROUNDS", "300"))
PROTO_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "main", "proto")


def stubs():
    out = tempfile.mkdtemp()
    for name in ("inference/model_config.proto", "inference/grpc_service.proto"):
        rc = protoc.main(["protoc", "-I" + PROTO_DIR, "--python_out=" + out, "--grpc_python_out=" + out, name])
        if rc != 0:
            sys.exit("protoc failed on " + name)
    sys.path.insert(0, out)
    from inference import grpc_service_pb2, grpc_service_pb2_grpc
    return grpc_service_pb2, grpc_service_pb2_grpc


def storm(target, pb, pb_grpc):
    request = pb.ModelInferRequest(model_name=os.environ.get("MODEL", "model"))
    tensor = request.inputs.add(name="input", datatype="FP32", shape=[1, 3, 32, 32])
    request.raw_input_contents.append(struct.pack("<%df" % (3 * 32 * 32), *([0.0] * (3 * 32 * 32))))
    failures = []
    with grpc.insecure_channel(target) as channel:
        infer = pb_grpc.GRPCInferenceServiceStub(channel).ModelInfer
        for r in range(ROUNDS):
            calls = [infer.future(request, timeout=60) for _ in range(5)]
            for c in calls[1:]:
                c.cancel()
            try:
                calls[0].result()
            except grpc.RpcError as e:
                failures.append("round %d: %s %s" % (r, e.code(), e.details()))
    return failures


def main():
    pb, pb_grpc = stubs()
    failed = False
    for target in sys.argv[1:]:
        failures = storm(target, pb, pb_grpc)
        print("%s: %d of %d uncancelled calls failed" % (target, len(failures), ROUNDS))
        for f in failures[:10]:
            print("   ", f)
        failed = failed or bool(failures)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
