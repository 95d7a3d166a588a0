#!/usr/bin/env python3
"""ONNX Runtime versions (and engine options) side by side in the in-process ceiling, interleaved rounds:

    python3 benchmarks/harness/ort_compare.py [--model m.onnx] [--rounds 3] [--batches 1,8]
        [--versions 1.23.2,1.24.1] [--artifacts onnxruntime,onnxruntime_gpu] [--option k=v ...]

Each round runs every (artifact, version) in turn with one caller x one thread, one caller x every core
and one caller per core x one thread, at each batch size; jars come from ~/.m2 (mvn dependency:get
-Dartifact=com.microsoft.onnxruntime:<artifact>:<version>). --option runs each configuration once more
with that engine option (e.g. session.intra_op.allow_spinning=0). Prints the median inferences/s per row
and refuses (exit 3) when others used the CPU meanwhile.
"""
import argparse
import json
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench  # noqa: E402
import machine  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=os.path.join(bench.WORK, "models", "onnx_mobilenetv2", "model.onnx"))
    ap.add_argument("--shape", default="3,224,224")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--batches", default="1,8")
    ap.add_argument("--versions", default="1.23.2,1.24.1")
    ap.add_argument("--artifacts", default="onnxruntime,onnxruntime_gpu")
    ap.add_argument("--duration", type=float, default=4)
    ap.add_argument("--option", action="append", default=[])
    ap.add_argument("--out", default=os.path.join(bench.WORK, "ort-compare.json"))
    args = ap.parse_args()
    plan = bench.Plan(quick=False)
    plan.batches = [int(b) for b in args.batches.split(",")]
    plan.ceiling_warmup, plan.ceiling_duration = 2, args.duration
    model = dict(id="ort", path=args.model, format="onnx", item_shape=[int(d) for d in args.shape.split(",")])
    layouts = [(1, 1), (1, machine.CORES), (machine.CORES, 1)]
    options = [None] + args.option
    rows = {}
    busy = []
    for _ in range(args.rounds):
        for artifact in args.artifacts.split(","):
            for version in args.versions.split(","):
                for threads, intra in layouts:
                    for opt in options:
                        extra = ["--engine-option", opt] if opt else []
                        r = ceiling_with(model, plan, threads, intra, (artifact, version), extra)
                        key = (artifact, version, f"{threads} x {intra}", opt or "")
                        if r.get("error"):
                            print("failed", key, r["error"])
                            continue
                        if r["foreign_cpu_cores"] > plan.max_foreign_cpu:
                            busy.append(key)
                        for b in r["batches"]:
                            rows.setdefault(key + (b["batch"],), []).append(b["inferences_per_s"])
    print(f"{'artifact':16s} {'version':8s} {'callers x threads':18s} {'option':36s} batch  median inf/s  runs")
    for key, v in sorted(rows.items()):
        print(f"{key[0]:16s} {key[1]:8s} {key[2]:18s} {key[3]:36s} {key[4]:5d}  {statistics.median(v):10.1f}  "
              + ", ".join(f"{x:.1f}" for x in v))
    with open(args.out, "w") as f:
        json.dump([dict(artifact=k[0], version=k[1], layout=k[2], option=k[3], batch=k[4], runs=v)
                   for k, v in rows.items()], f, indent=1)
    if busy:
        print(f"BUSY during {len(busy)} run(s): these numbers do not count")
        sys.exit(3)


def ceiling_with(model, plan, threads, intra, ort, extra):
    """bench.ceiling with extra CeilingRunner arguments (engine options)."""
    return bench.ceiling(dict(model, extra_args=extra) if extra else model, plan, threads, intra, ort)


if __name__ == "__main__":
    main()
