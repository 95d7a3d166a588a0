"""Batch mode against the engine's in-process ceiling and a Python loop (issue 16's goal: MobileNetV2-224
over 2,000 JPEGs at >= 0.95 of the ceiling).

  ceiling   CeilingRunner on the same model, batch 1/8/32, one caller with the engine's threads and one
            caller per core with one thread each; the best inferences/s is the denominator (no decoding:
            the engine alone);
  runtime   server/bin/model-server batch --model M --input DIR --output OUT --top-k 5, as deployed (the
            launcher's JVM flags, the AppCDS archive); images/s of the run itself from its last log line
            (model loaded and warmed up), and end to end (process start to exit);
  python    harness/batch_python_loop.py in the legacy venv: Pillow decode + resize as the legacy service,
            onnxruntime, one image per run() call, over the same sorted files.

Run by `benchmarks/run.sh --batch` (which builds, makes the venv and the models), or alone once those exist:
  python3 benchmarks/harness/batch_bench.py [--images 2000] [--repeats 3] [--tag T]
Writes benchmarks/results/<date>-<host>-batch<tag>.{json,md}.
"""
import argparse
import datetime
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
from bench import BENCH, HERE, LAUNCHER, SERVER_JAR, VENV, WORK, log  # noqa: E402

RUN_LINE = re.compile(r"batch: (\d+) image\(s\) run in ([\d.]+) s \(([\d.]+) images/s\), (\d+) of (\d+) recorded as errors")


def dataset(n):
    """The benchmark's JPEGs, made once per size."""
    d = os.path.join(WORK, "batch-images", str(n))
    stamp = d + ".complete"  # beside the folder: the folder holds the images only
    if not os.path.exists(stamp):
        log(f"writing {n} JPEGs into {d}")
        subprocess.run([os.path.join(VENV, "bin", "python"), os.path.join(HERE, "batch_images.py"), d, str(n)],
                       check=True)
        open(stamp, "w").close()
    return d


def runtime_batch(model, images, out):
    env = dict(os.environ, OPT_OUT_TRACKING="true", ORT_DISABLE_TELEMETRY="1", MODEL_RUNTIME_JAR=SERVER_JAR)
    opts = os.environ.get("RUNTIME_JAVA_OPTS", "").strip()
    if opts:
        env["JAVA_OPTS"] = opts
    argv = [LAUNCHER, "batch", "--model", model, "--input", images, "--output", out, "--top-k", "5"]
    t0 = time.perf_counter()
    p = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=3600)
    wall = time.perf_counter() - t0
    m = None
    for line in p.stderr.splitlines() + p.stdout.splitlines():
        m = RUN_LINE.search(line) or m
    if p.returncode != 0 or not m:
        log("  runtime batch failed:", p.returncode, (p.stderr or p.stdout)[-1500:])
        return dict(error=f"exit {p.returncode}")
    run_images, run_s, rate, failed = int(m.group(1)), float(m.group(2)), float(m.group(3)), int(m.group(4))
    window = re.search(r"batch: (\d+) image\(s\) in flight \(batches of up to (\d+), (\d+) worker",
                       p.stderr + p.stdout)
    r = dict(images=run_images, run_seconds=run_s, images_per_s=rate, failed=failed, wall_seconds=wall,
             end_to_end_images_per_s=run_images / wall, in_flight=int(window.group(1)) if window else None,
             max_batch=int(window.group(2)) if window else None, workers=int(window.group(3)) if window else None)
    log(f"  runtime batch: {run_images} images, {rate:.1f} images/s in the run, {r['end_to_end_images_per_s']:.1f} "
        f"end to end ({wall:.1f} s wall)")
    return r


def python_loop(model, images):
    out = os.path.join(WORK, "batch-python.json")
    t0 = time.perf_counter()
    p = subprocess.run([os.path.join(VENV, "bin", "python"), os.path.join(HERE, "batch_python_loop.py"), model,
                        images, out], capture_output=True, text=True, timeout=7200)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        log("  python loop failed:", p.stderr[-1500:])
        return dict(error=p.stderr[-300:])
    with open(out) as f:
        r = json.load(f)
    r["wall_seconds"] = wall
    r["end_to_end_images_per_s"] = r["images"] / wall
    log("  " + p.stdout.strip())
    return r


def top1_agreement(records_path, python_top1):
    """Share of images whose best class is the same in both (the two resize differently: not all agree)."""
    same = total = 0
    with open(records_path) as f:
        for line in f:
            rec = json.loads(line)
            if "top_k" in rec and rec["path"] in python_top1:
                total += 1
                same += rec["top_k"][0]["index"] == python_top1[rec["path"]]
    return same / total if total else None


def best_ceiling(*runs):
    rates = [row["inferences_per_s"] for run in runs if run and not run.get("error") for row in run["batches"]]
    return max(rates) if rates else None


def render(r):
    c, rt, py = r["ceiling_best"], r["runtime"], r["python"]
    med = r["runtime_median_images_per_s"]
    lines = [f"# Batch mode: {r['model']} over {r['images']} JPEGs ({r['started']}, {r['machine']['host']}, "
             f"{r['machine']['cores']} cores)", "",
             "| | images/s | ratio to ceiling |", "|---|---|---|"]
    if c:
        lines.append(f"| engine ceiling (in process, no decode) | {c:.1f} | 1.00 |")
    if med:
        lines.append(f"| runtime `batch` (run, median of {len(rt)}) | {med:.1f} | "
                     f"{med / c:.3f} |" if c else f"| runtime `batch` | {med:.1f} | |")
        e2e = statistics.median(x["end_to_end_images_per_s"] for x in rt if "error" not in x)
        lines.append(f"| runtime `batch` end to end (JVM start, model load) | {e2e:.1f} | "
                     + (f"{e2e / c:.3f} |" if c else "|"))
    if py and "error" not in py:
        lines.append(f"| Python loop (Pillow + onnxruntime {py.get('onnxruntime')}) | {py['images_per_s']:.1f} | "
                     + (f"{py['images_per_s'] / c:.3f} |" if c else "|"))
    lines += ["", f"Goal: runtime >= 0.95 x ceiling: **{'met' if r.get('goal_met') else 'not met'}**"
              + (f" ({med / c:.3f})" if c and med else ""),
              f"Top-1 agreement runtime vs Python loop: {r.get('top1_agreement')}",
              f"Load average at start / end: {r['machine']['loadavg_start']} / {r['loadavg_end']}", ""]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", type=int, default=int(os.environ.get("BENCH_BATCH_IMAGES", "2000")))
    ap.add_argument("--repeats", type=int, default=int(os.environ.get("BENCH_REPEATS", "3")))
    ap.add_argument("--model", default=os.path.join(WORK, "models", "onnx_mobilenetv2", "model.onnx"))
    ap.add_argument("--ceiling-duration", type=float, default=4)
    ap.add_argument("--no-python", action="store_true")
    ap.add_argument("--out-dir", default=os.path.join(BENCH, "results"))
    ap.add_argument("--tag", default="")
    args = ap.parse_args()
    if not os.path.exists(args.model):
        sys.exit(f"{args.model} is missing: benchmarks/run.sh --batch generates it")

    started = datetime.datetime.now(datetime.timezone.utc)
    images = dataset(args.images)
    r = dict(started=started.isoformat(timespec="seconds"), model=args.model, images=args.images,
             machine=bench.machine_facts())

    class Cfg:
        batches = [1, 8, 32]
        ceiling_warmup = 2
        ceiling_duration = args.ceiling_duration

    model = dict(id="mobilenetv2_onnx", path=args.model, format="onnx", item_shape=[3, 224, 224])
    log("ceiling")
    r["ceiling"] = bench.ceiling(model, Cfg)
    r["ceiling_per_core"] = bench.ceiling(model, Cfg, threads=os.cpu_count(), intra=1) if os.cpu_count() > 1 else None
    r["ceiling_best"] = best_ceiling(r["ceiling"], r["ceiling_per_core"])

    out = os.path.join(WORK, "batch-runtime.jsonl")
    r["runtime"] = []
    for i in range(args.repeats):
        log(f"runtime batch {i + 1}/{args.repeats}")
        r["runtime"].append(runtime_batch(args.model, images, out))
    rates = [x["images_per_s"] for x in r["runtime"] if "error" not in x]
    r["runtime_median_images_per_s"] = statistics.median(rates) if rates else None
    if r["ceiling_best"] and rates:
        r["ratio_to_ceiling"] = r["runtime_median_images_per_s"] / r["ceiling_best"]
        r["goal_met"] = r["ratio_to_ceiling"] >= 0.95
    if not args.no_python:
        log("python loop")
        r["python"] = python_loop(args.model, images)
        if "top1" in r["python"]:
            r["top1_agreement"] = top1_agreement(out, r["python"].pop("top1"))
    else:
        r["python"] = None
    r["loadavg_end"] = open("/proc/loadavg").read().strip()

    os.makedirs(args.out_dir, exist_ok=True)
    stem = f"{started.strftime('%Y-%m-%d')}-{socket.gethostname()}-batch{args.tag}"
    with open(os.path.join(args.out_dir, stem + ".json"), "w") as f:
        json.dump(r, f, indent=1)
    with open(os.path.join(args.out_dir, stem + ".md"), "w") as f:
        f.write(render(r))
    log("wrote", os.path.join(args.out_dir, stem + ".md"))
    print(render(r))


if __name__ == "__main__":
    main()
