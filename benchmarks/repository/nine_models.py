#!/usr/bin/env python3
"""Issue 28: nine models in one runtime process (repository mode) against nine one-model processes (the
factory's layout today), same models, same requests, in one run.

    python3 benchmarks/repository/nine_models.py [--rounds 3] [--seconds 15] [--out FILE.md]

Needs wrk and a built server (server/target/model-server.jar, `mvn -o -q package -DskipTests -pl server`).
The nine models are the repository's real fixtures in four formats (model-loaders/src/test/fixtures): ONNX
tiny_cnn (the hot model), ONNX mnist_flat, fixed_batch_nhwc, initializer_inputs, TorchScript traced and
scripted, a TF SavedModel and two Keras H5 models. Each request is the fixture's reference input.

Measured: total RSS of each layout (sum of VmRSS over its java processes) once every model has answered
and the hot model has settled (--settle seconds of load), and again after the rounds; the hot model's throughput and p99 at 32 clients (wrk) while one client keeps
sending to the eight cold models in turn; ROUNDS interleaved rounds, medians, ratios one/nine.
"""
import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIX = os.path.join(ROOT, "model-loaders", "src", "test", "fixtures")
MODELS = {  # served name -> fixture folder; the first is the hot model
    "hot": "onnx/tiny_cnn", "mnist": "onnx/mnist_flat", "nhwc": "onnx/fixed_batch_nhwc",
    "initializers": "onnx/initializer_inputs", "traced": "torchscript/tiny_cnn_traced",
    "scripted": "torchscript/tiny_cnn_scripted", "savedmodel": "tf_savedmodel/tiny_cnn",
    "functional": "keras_h5/functional_cnn", "sequential": "keras_h5/sequential_mlp",
}


def make_repository(root):
    for name, fixture in MODELS.items():
        src = os.path.join(FIX, fixture)
        dst = os.path.join(root, name, "1")
        shutil.copytree(src, dst, ignore=shutil.ignore_patterns("reference.json"))
    return root


def request_body(fixture):
    ref = json.load(open(os.path.join(FIX, fixture, "reference.json")))
    inputs = [{"name": n, "datatype": t["datatype"], "shape": t["shape"], "data": t["data"]}
              for n, t in ref["inputs"].items()]
    return json.dumps({"inputs": inputs}).encode()


def start(args, port, log):
    cmd = [os.path.join(ROOT, "server", "bin", "model-server"), "--port", str(port), "--grpc-port", "0"] + args
    p = subprocess.Popen(cmd, stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True)
    for _ in range(600):
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/health/ready", timeout=2).status == 200:
                return p
        except Exception:
            pass
        if p.poll() is not None:
            sys.exit(f"server on {port} exited: see {log}")
        time.sleep(0.5)
    sys.exit(f"server on {port} not ready: see {log}")


def java_pids(proc):
    out = []
    for pid in [proc.pid] + [int(x) for x in subprocess.run(["pgrep", "-g", str(proc.pid)], capture_output=True,
                                                             text=True).stdout.split()]:
        try:
            if os.readlink(f"/proc/{pid}/exe").endswith("java") and pid not in out:
                out.append(pid)
        except OSError:
            pass
    return out


def rss_mib(procs):
    total = 0
    for p in procs:
        for pid in java_pids(p):
            for line in open(f"/proc/{pid}/status"):
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


def post(url, body):
    r = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(r, timeout=60) as resp:
        resp.read()
        return resp.status


def wrk(url, body_file, seconds):
    env = dict(os.environ, BENCH_BODIES=body_file, BENCH_CONTENT_TYPE="application/json")
    out = subprocess.run(["wrk", "-t2", "-c32", f"-d{seconds}s", "--timeout", "30s", "-s",
                          os.path.join(ROOT, "benchmarks", "wrk", "post.lua"), url], env=env,
                         capture_output=True, text=True).stdout
    m = re.search(r"WRK_JSON (\{.*\})", out)
    if not m:
        sys.exit("wrk printed no result:\n" + out)
    r = json.loads(m.group(1))
    return r["requests"] / r["duration_s"], r["latency_ms"]["p99"], sum(r["errors"].values())


def cold_traffic(urls, bodies, stop, failures):
    i = 0
    names = list(urls)
    while not stop.is_set():
        n = names[i % len(names)]
        try:
            if post(urls[n], bodies[n]) != 200:
                failures.append(n)
        except Exception as e:
            failures.append(f"{n}: {e}")
        i += 1
        time.sleep(0.1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--settle", type=int, default=20)
    ap.add_argument("--out")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="nine-models-")
    repo = make_repository(os.path.join(work, "repository"))
    bodies = {n: request_body(f) for n, f in MODELS.items()}
    hot_file = os.path.join(work, "hot.json")
    open(hot_file, "wb").write(bodies["hot"])
    procs = {"one": [], "nine": []}
    try:
        procs["one"].append(start(["--model-repository", repo], 5200, os.path.join(work, "one.log")))
        for i, name in enumerate(MODELS):
            procs["nine"].append(start(["--model", os.path.join(repo, name, "1"), "--model-name", name], 5210 + i,
                                       os.path.join(work, f"nine-{name}.log")))
        urls = {"one": {n: f"http://127.0.0.1:5200/v2/models/{n}/infer" for n in MODELS},
                "nine": {n: f"http://127.0.0.1:{5210 + i}/v2/models/{n}/infer" for i, n in enumerate(MODELS)}}
        for layout in urls:
            for n in MODELS:
                assert post(urls[layout][n], bodies[n]) == 200, (layout, n)
        for layout in urls:  # settle: the JIT's first seconds are not a measurement
            wrk(urls[layout]["hot"], hot_file, a.settle)
        time.sleep(3)
        idle = {k: rss_mib(v) for k, v in procs.items()}
        results = {"one": [], "nine": []}
        for r in range(a.rounds):
            for layout in ("one", "nine"):
                stop, failures = threading.Event(), []
                cold = {n: u for n, u in urls[layout].items() if n != "hot"}
                t = threading.Thread(target=cold_traffic, args=(cold, bodies, stop, failures))
                t.start()
                rps, p99, errors = wrk(urls[layout]["hot"], hot_file, a.seconds)
                stop.set()
                t.join()
                results[layout].append((rps, p99, errors, len(failures)))
                print(f"round {r + 1} {layout}: hot {rps:.1f} req/s, p99 {p99:.2f} ms, errors {errors}, "
                      f"cold failures {len(failures)}", flush=True)
        loaded = {k: rss_mib(v) for k, v in procs.items()}
        med = {k: (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v)) for k, v in results.items()}
        lines = [
            "| layout | processes | RSS, every model warm | RSS after the load | hot req/s (median) | hot p99 ms (median) |",
            "|---|---|---|---|---|---|",
            f"| one process, repository | 1 | {idle['one']:.0f} MiB | {loaded['one']:.0f} MiB | {med['one'][0]:.1f} | "
            f"{med['one'][1]:.2f} |",
            f"| nine processes | 9 | {idle['nine']:.0f} MiB | {loaded['nine']:.0f} MiB | {med['nine'][0]:.1f} | "
            f"{med['nine'][1]:.2f} |",
            "",
            f"Memory one/nine: {idle['one'] / idle['nine']:.2f}x warm, {loaded['one'] / loaded['nine']:.2f}x after "
            f"the load (goal <= 0.5x). Hot throughput one/nine: {med['one'][0] / med['nine'][0]:.2f}x (goal >= 0.95x); "
            f"p99 one/nine {med['one'][1] / med['nine'][1]:.2f}x.",
            "",
            "Rounds (hot req/s, p99 ms, wrk errors, failed cold requests): " + "; ".join(
                f"{k} {[(round(x[0], 1), round(x[1], 2), x[2], x[3]) for x in v]}" for k, v in results.items()),
        ]
        print("\n".join(lines))
        if a.out:
            open(a.out, "a").write("\n".join(lines) + "\n")
    finally:
        for v in procs.values():
            for p in v:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for v in procs.values():
            for p in v:
                p.wait(timeout=60)


if __name__ == "__main__":
    main()
