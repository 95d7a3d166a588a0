#!/usr/bin/env python3
"""Issue 25: a 100-tree gradient-boosted model served by this runtime as PMML (PMML4S) and as ONNX-ML (ONNX
Runtime) against the same scikit-learn model under Flask + gunicorn -w 2, side by side in one run.

    python3 benchmarks/tabular/tabular_vs_flask.py [--rounds 3] [--seconds 10] [--out FILE.md]

Needs wrk, a built server (`mvn -o -q package -DskipTests -pl server`) and a venv with scikit-learn, flask and
gunicorn (PYTHON=/path/to/venv/bin/python; see benchmarks/tabular/README.md). pypmml is not in the local
package index, so no Python PMML server is measured.

Every server gets the same JSON bodies ({"instances": [records]}, records from the fixture's reference.json):
one record per request and 64 per request, at 1 and 32 clients (wrk -c), ROUNDS interleaved rounds, medians.
Correctness first: every server's labels for the 64 records must equal scikit-learn's (reference.json), else
the run stops. Peak RSS: VmHWM summed over each server's processes (gunicorn master and workers).
"""
import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIX = os.path.join(ROOT, "model-loaders", "src", "test", "fixtures", "tabular", "quality_gbdt")
PYTHON = os.environ.get("PYTHON", "python3")


def wait_ready(url, proc, log):
    for _ in range(600):
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return  # answering, even if not 200 on this path
        except Exception:
            pass
        if proc.poll() is not None:
            sys.exit(f"server exited: see {log}")
        time.sleep(0.5)
    sys.exit(f"server not ready: see {log}")


def start_runtime(model, port, work):
    log = os.path.join(work, f"runtime-{port}.log")
    p = subprocess.Popen([os.path.join(ROOT, "server", "bin", "model-server"), "--model", model, "--port", str(port),
                          "--grpc-port", "0", "--host", "127.0.0.1"], stdout=open(log, "w"),
                         stderr=subprocess.STDOUT, start_new_session=True)
    wait_ready(f"http://127.0.0.1:{port}/v2/health/ready", p, log)
    return p


def start_flask(port, work):
    log = os.path.join(work, f"flask-{port}.log")
    gunicorn = os.path.join(os.path.dirname(PYTHON), "gunicorn")
    p = subprocess.Popen([gunicorn, "-w", "2", "-b", f"127.0.0.1:{port}", "--chdir", os.path.dirname(__file__),
                          "flask_gbdt:app"], stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True)
    wait_ready(f"http://127.0.0.1:{port}/", p, log)
    return p


def pids(proc):
    out = [proc.pid]
    out += [int(x) for x in subprocess.run(["pgrep", "-g", str(proc.pid)], capture_output=True, text=True).stdout.split()]
    return sorted(set(out))


def peak_rss_mib(proc):
    total = 0
    for pid in pids(proc):
        try:
            for line in open(f"/proc/{pid}/status"):
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def post(url, body):
    r = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(r, timeout=60) as resp:
        return json.loads(resp.read())


def wrk(url, body_file, clients, seconds):
    env = dict(os.environ, BENCH_BODIES=body_file, BENCH_CONTENT_TYPE="application/json")
    out = subprocess.run(["wrk", f"-t{min(2, clients)}", f"-c{clients}", f"-d{seconds}s", "--timeout", "30s", "-s",
                          os.path.join(ROOT, "benchmarks", "wrk", "post.lua"), url], env=env,
                         capture_output=True, text=True).stdout
    m = re.search(r"WRK_JSON (\{.*\})", out)
    if not m:
        sys.exit("wrk printed no result:\n" + out)
    r = json.loads(m.group(1))
    return r["requests"] / r["duration_s"], r["latency_ms"]["p99"], sum(r["errors"].values())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--out")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="tabular-bench-")
    ref = json.load(open(os.path.join(FIX, "reference.json")))
    records = ref["records"]
    while len(records) < 64:
        records = records + ref["records"]
    records = records[:64]
    bodies = {}
    for n in (1, 64):
        path = os.path.join(work, f"records{n}.json")
        with open(path, "w") as f:
            json.dump({"instances": records[:n]}, f)
        bodies[n] = path
    servers = {
        "runtime PMML": (start_runtime(os.path.join(FIX, "model.pmml"), 5091, work), "http://127.0.0.1:5091/predict"),
        "runtime ONNX-ML": (start_runtime(os.path.join(FIX, "model.onnx"), 5092, work), "http://127.0.0.1:5092/predict"),
        "Flask + gunicorn -w 2 (scikit-learn)": (start_flask(5093, work), "http://127.0.0.1:5093/predict"),
    }
    try:
        want = [str(l) for l in (ref["labels"] * 4)[:64]]
        for name, (_, url) in servers.items():
            got = [str(p["label"]) for p in post(url, open(bodies[64], "rb").read())["predictions"]]
            if got != want:
                sys.exit(f"{name} answers labels {got[:8]}... but scikit-learn says {want[:8]}...")
        points = [(n, c) for n in (1, 64) for c in (1, 32)]
        results = {(s, p): [] for s in servers for p in points}
        for rnd in range(a.rounds):
            for p in points:
                for s, (_, url) in servers.items():
                    rps, p99, errors = wrk(url, bodies[p[0]], p[1], a.seconds)
                    results[(s, p)].append((rps, p99, errors))
                    print(f"round {rnd + 1} {s} records={p[0]} clients={p[1]}: {rps:.0f} req/s p99 {p99:.2f} ms "
                          f"errors {errors}", flush=True)
        rss = {s: peak_rss_mib(proc) for s, (proc, _) in servers.items()}
    finally:
        for proc, _ in servers.values():
            os.killpg(proc.pid, signal.SIGTERM)
    report(a, servers, points, results, rss)


def report(a, servers, points, results, rss):
    flask = "Flask + gunicorn -w 2 (scikit-learn)"
    lines = [f"# Tabular: a 100-tree GBDT as PMML and ONNX-ML against Flask + gunicorn -w 2 ({time.strftime('%Y-%m-%d')})", "",
             f"`python3 benchmarks/tabular/tabular_vs_flask.py --rounds {a.rounds} --seconds {a.seconds}`; "
             f"{os.cpu_count()} cores; wrk, JSON bodies of 1 and 64 records; medians of {a.rounds} interleaved rounds. "
             "pypmml is not in the local package index: no Python PMML server is measured.", "",
             "| server | records/request | clients | req/s | records/s | p99 ms | x Flask req/s | wrk errors |",
             "|---|---|---|---|---|---|---|---|"]
    for p in points:
        base = statistics.median(r[0] for r in results[(flask, p)])
        for s in servers:
            rs = results[(s, p)]
            rps = statistics.median(r[0] for r in rs)
            p99 = statistics.median(r[1] for r in rs)
            lines.append(f"| {s} | {p[0]} | {p[1]} | {rps:,.0f} | {rps * p[0]:,.0f} | {p99:.2f} | {rps / base:.2f} | "
                         f"{sum(r[2] for r in rs)} |")
    lines += ["", "| server | peak RSS MiB (VmHWM, all processes) | x Flask |", "|---|---|---|"]
    for s in servers:
        lines.append(f"| {s} | {rss[s]:.0f} | {rss[s] / rss[flask]:.2f} |")
    lines += ["", "Rounds (req/s, p99 ms): " + "; ".join(
        f"{s} {p}: " + ", ".join(f"{r[0]:.0f}/{r[1]:.1f}" for r in results[(s, p)]) for s in servers for p in points)]
    text = "\n".join(lines) + "\n"
    print(text)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
