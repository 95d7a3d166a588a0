#!/usr/bin/env python3
"""Runs the benchmark plan and writes benchmarks/results/<date>-<host>[-quick][tag].{json,md}.

Started by benchmarks/run.sh after the build; standard library only (the legacy venv is for the legacy
service, not for this script). Every server is driven by the same external load generator: wrk for
HTTP/1.1 (benchmarks/wrk/post.lua), h2load for HTTP/2 cleartext and gRPC. The project's own LoadDriver
only adds coordinated-omission-corrected latencies, and only after the run has shown it agrees with wrk
within 10% on a keep-alive server (the runtime) and on one that closes every connection (gunicorn).

For each model:
  ceiling  - the engine in process (CeilingRunner), batch 1/8/32, one caller with the engine's default
             threads and one caller per core with one thread each;
  servers  - the runtime as deployed (batching on, and off) and the legacy Flask app under gunicorn -w 1
             and -w 2 (Keras: also calling model(x)), started one at a time (cold start), then kept up;
  points   - POST /predict (PNG) at every concurrency, all servers interleaved; the headline (32 clients)
             repeated; then the runtime's other routes (OIP JSON, binary tensors, BYTES images, TF Serving
             b64, gRPC, HTTP/2), those that this build serves;
  memory   - peak RSS of each server's process tree, per phase (/predict only vs. all routes), idle RSS,
             and for the runtime a breakdown (NMT, smaps, threads) idle and after load;
  cold     - repeated cold starts (process start to the first 200 on /predict).

Every point records the 1-minute load average and the CPU used by processes outside the benchmark. A point
measured while the machine was busy is retried once the machine is quiet again; if it stays busy, no
result file is written (the numbers go to work/refused-*.json for diagnosis) and the exit code is 3.
"""
import argparse
import datetime
import glob
import json
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bodies  # noqa: E402
import loadgen  # noqa: E402
import machine  # noqa: E402
import report  # noqa: E402
import servers  # noqa: E402

BENCH = os.path.dirname(HERE)
ROOT = os.path.dirname(BENCH)
WORK = servers.WORK
VENV = servers.VENV
FIXTURES = os.path.join(ROOT, "model-loaders", "src", "test", "fixtures")
SERVER_JAR = os.path.join(ROOT, "server", "target", "model-server.jar")
LAUNCHER = os.path.join(ROOT, "server", "bin", "model-server")  # the runtime as deployed (batch_bench.py)
BENCH_CP = os.path.join(BENCH, "target", "classes") + os.pathsep + os.path.join(BENCH, "target", "lib", "*")
M2 = os.path.expanduser("~/.m2/repository")


def log(*parts):
    print(time.strftime("%H:%M:%S"), *parts, flush=True)


def java():
    return shutil.which("java") or "java"


# ---------------------------------------------------------------------------------------------------
# Models


def first_existing(*paths):
    for p in paths:
        if p and os.path.exists(p):
            return p
    return None


def images(size):
    """PNG request bodies of the model's input size (the fixture photo-like cat first, where it exists)."""
    fixture = [p for p in [os.path.join(FIXTURES, "images", "cat32.png")] if size == 32 and os.path.exists(p)]
    generated = sorted(glob.glob(os.path.join(WORK, "models", "images", f"rgb{size}_*.png")))
    return fixture + generated


def jpegs(pngs):
    """The JPEG versions of the generated PNGs (models/make_mobilenet.py writes both), else the PNGs."""
    out = [p[:-4] + ".jpg" for p in pngs if os.path.exists(p[:-4] + ".jpg")]
    return out or pngs


def model_plan(quick):
    """The models measured, each with what the servers and the ceiling need to know about it."""
    gen = os.path.join(WORK, "models")
    plan = [
        dict(id="tiny_onnx", regime="overhead-bound", format="onnx",
             path=first_existing(os.path.join(FIXTURES, "onnx", "tiny_cnn", "model.onnx"),
                                 os.path.join(gen, "onnx_tiny_cnn", "model.onnx")),
             item_shape=[3, 32, 32], image_size=32),
        dict(id="tiny_torchscript", regime="overhead-bound", format="torchscript",
             path=first_existing(os.path.join(FIXTURES, "torchscript", "tiny_cnn_traced", "model.pt"),
                                 os.path.join(gen, "torchscript_tiny_cnn", "model.pt")),
             item_shape=[3, 32, 32], image_size=32),
        dict(id="mobilenetv2_onnx", regime="compute-bound", format="onnx",
             path=first_existing(os.path.join(gen, "onnx_mobilenetv2", "model.onnx")),
             item_shape=[3, 224, 224], image_size=224),
        dict(id="mobilenetv2_torchscript", regime="compute-bound", format="torchscript",
             path=first_existing(os.path.join(gen, "torchscript_mobilenetv2", "model.pt")),
             item_shape=[3, 224, 224], image_size=224),
        dict(id="keras_h5_cnn", regime="keras", format="keras_h5",
             path=first_existing(os.path.join(FIXTURES, "keras_h5", "functional_cnn", "model.h5"),
                                 os.path.join(gen, "keras_h5_tiny_cnn", "model.h5")),
             item_shape=None, image_size=32, keras_modes=True),
    ]
    if quick:
        plan = [m for m in plan if m["id"] == "tiny_onnx"]
    only = os.environ.get("BENCH_MODELS")
    if only:
        wanted = only.split(",")
        plan = [m for m in plan if m["id"] in wanted]
    return plan


# ---------------------------------------------------------------------------------------------------
# Routes of the runtime: what each sends. Built per model from the runtime's own metadata; a route that
# this build does not serve (probed with one request) is reported as not available.


class Route:
    def __init__(self, name, tool, path, files, content_type, headers=None, port=None, what=""):
        self.name, self.tool, self.path, self.files = name, tool, path, files
        self.content_type, self.headers, self.port, self.what = content_type, headers or [], port, what

    def url(self, server):
        port = self.port(server) if self.port else server.port
        return f"http://127.0.0.1:{port}{self.path}"


def runtime_routes(model, server, pngs):
    """The runtime's routes beyond /predict for this model, with their bodies written to work/bodies/."""
    out_dir = os.path.join(WORK, "bodies", model["id"])
    os.makedirs(out_dir, exist_ok=True)
    meta = servers.get_json(f"{server.base}/v2/models/{model['id']}")
    routes = [Route("h2-predict", "h2load", "/predict", pngs[:1], "image/png", what="/predict over HTTP/2 (h2c)")]
    if not meta or not meta.get("inputs"):
        return routes
    spec = meta["inputs"][0]
    shape = bodies.float_input_shape(spec, model.get("item_shape"))
    infer = f"/v2/models/{model['id']}/infer"
    grpc_port = lambda s: s.extra.get("grpc_port") or s.port  # noqa: E731
    grpc_path = "/inference.GRPCInferenceService/ModelInfer"
    grpc_headers = ["te: trailers"]
    routes = [
        Route("v2-json", "wrk", infer, bodies.v2_json(out_dir, spec, shape), "application/json",
              what="OIP JSON, FP32 tensor"),
        Route("v2-binary", "wrk", infer, bodies.v2_binary(out_dir, spec, shape), "application/octet-stream",
              what="OIP binary tensor extension, FP32 tensor"),
        Route("grpc", "h2load", grpc_path, [bodies.grpc_float(out_dir, model["id"], spec, shape)],
              "application/grpc", grpc_headers, port=grpc_port, what="gRPC ModelInfer, FP32 raw_input_contents"),
    ] + routes
    if model.get("image_size"):
        routes += [
            Route("v2-bytes", "wrk", infer, bodies.v2_bytes(out_dir, spec["name"], pngs), "application/octet-stream",
                  what="OIP binary extension, the PNG as a BYTES tensor"),
            Route("v2-bytes-jpeg", "wrk", infer, bodies.v2_bytes(out_dir, spec["name"], jpegs(pngs), "jpeg"),
                  "application/octet-stream", what="OIP binary extension, a JPEG (quality 90) as a BYTES tensor"),
            Route("v1-b64", "wrk", f"/v1/models/{model['id']}:predict", bodies.v1_b64(out_dir, spec["name"], pngs),
                  "application/json", what="TF Serving REST, the PNG as {\"b64\"}"),
            Route("grpc-bytes", "h2load", grpc_path, [bodies.grpc_bytes(out_dir, model["id"], spec["name"], pngs[0])],
                  "application/grpc", grpc_headers, port=grpc_port, what="gRPC ModelInfer, the PNG as a BYTES tensor"),
        ]
    return routes


def probe_route(route, server):
    """One request: does this build serve the route? @return None when it does, else why not"""
    with open(route.files[0], "rb") as f:
        body = f.read()
    headers = dict(h.split(": ", 1) for h in route.headers if not h.startswith("te:"))
    sidecar = route.files[0] + ".headers"
    if os.path.exists(sidecar):
        with open(sidecar) as f:
            headers.update(dict(line.strip().split(": ", 1) for line in f if ": " in line))
    if route.tool == "wrk":
        status, answer = servers.post(route.url(server), body, route.content_type, headers=headers)
        return None if status == 200 else f"HTTP {status}: {(answer or b'')[:160].decode(errors='replace')}"
    if not shutil.which("curl"):
        return "curl is not installed (needed to check HTTP/2 and gRPC answers)"
    argv = ["curl", "-s", "-o", "/dev/null", "-D", "-", "--http2-prior-knowledge", "--max-time", "30",
            "-H", f"content-type: {route.content_type}", "--data-binary", "@" + route.files[0]]
    for h in route.headers:
        argv += ["-H", h]
    p = subprocess.run(argv + [route.url(server)], capture_output=True, text=True)
    head = p.stdout.lower()
    if "http/2 200" not in head:
        return "no HTTP/2 200: " + (head.strip().splitlines() or [p.stderr.strip()[:120] or "no answer"])[0]
    if route.content_type == "application/grpc":
        m = re.search(r"grpc-status: (\d+)", head)
        if not m or m.group(1) != "0":
            msg = re.search(r"grpc-message: (.*)", head)
            return f"grpc-status {m.group(1) if m else '?'}" + (f": {msg.group(1).strip()}" if msg else "")
    return None


# ---------------------------------------------------------------------------------------------------
# Points


class Plan:
    """Run settings, from the mode and the BENCH_* environment."""

    def __init__(self, quick):
        self.quick = quick
        env = os.environ.get
        if quick:
            self.concurrency, self.route_concurrency = [1, 32], [1, 32]
            self.warmup, self.duration, self.settle = 1.0, 3.0, 5
            self.ceiling_warmup, self.ceiling_duration = 0.5, 1.0
            self.repeats, self.batching_off, self.cold_starts = 1, False, 3
            self.driver, self.memory_breakdown = False, False
        else:
            self.concurrency, self.route_concurrency = [1, 8, 32, 64], [1, 32]
            self.warmup, self.duration, self.settle = 2.0, 5.0, 20
            self.ceiling_warmup, self.ceiling_duration = 2.0, 4.0
            self.repeats, self.batching_off, self.cold_starts = 3, True, 5
            self.driver, self.memory_breakdown = True, True
        self.headline_c = 32
        self.batches = [1, 8, 32]
        self.legacy_max_c_slow = int(env("BENCH_LEGACY_MAX_C_SLOW", "64"))  # lower to skip slow legacy points
        self.jmh = not quick and env("BENCH_JMH", "1") != "0"
        self.jmh_args = (env("BENCH_JMH_ARGS") or "-wi 2 -w 1s -i 3 -r 1s").split()
        for key, cast in (("warmup", float), ("duration", float), ("repeats", int), ("settle", int),
                          ("cold_starts", int)):
            if env("BENCH_" + key.upper()):
                setattr(self, key, cast(env("BENCH_" + key.upper())))
        if env("BENCH_DRIVER"):
            self.driver = env("BENCH_DRIVER") == "1"
        if env("BENCH_MEMORY"):
            self.memory_breakdown = env("BENCH_MEMORY") == "1"
        if env("BENCH_ROUTES"):
            self.routes = env("BENCH_ROUTES").split(",")
        else:
            self.routes = None  # all available
        self.max_foreign_cpu = float(env("BENCH_MAX_FOREIGN_CPU", "0.3"))
        self.start_load = float(env("BENCH_START_LOAD", "0.5"))
        self.quiet_wait = int(env("BENCH_QUIET_WAIT", "900"))
        self.retries = int(env("BENCH_BUSY_RETRIES", "2"))
        # Other checkouts' runtimes, interleaved with this one: BENCH_RUNTIMES="before=/work/wt-before,..."
        self.other_runtimes = [tuple(x.split("=", 1)) for x in env("BENCH_RUNTIMES", "").split(",") if "=" in x]
        self.variant_opts = env("RUNTIME_VARIANT_OPTS")
        # Runtimes of this checkout with other settings, interleaved with the default one (before/after of a
        # setting): BENCH_VARIANTS="old-threads:INSTANCES=2 INTRA_OP_THREADS=1;nospin:ENGINE_OPTIONS=..."
        self.variants = []
        for part in (env("BENCH_VARIANTS") or "").split(";"):
            name, _, assignments = part.partition(":")
            if name.strip() and assignments.strip():
                self.variants.append((name.strip(), dict(kv.split("=", 1) for kv in shlex.split(assignments))))
        self.ort_versions = [v for v in env("BENCH_ORT_VERSIONS", "").split(",") if v]

    def public(self):
        return {k: v for k, v in vars(self).items()}


class Measurer:
    """Runs load points with CPU accounting and the busy-machine rule."""

    def __init__(self, plan, results):
        self.plan = plan
        self.results = results
        self.busy = []

    def point(self, label, server, route, tool, url, files, content_type, concurrency, headers=None,
              warmup=None, duration=None, threads_of=None):
        warmup = self.plan.warmup if warmup is None else warmup
        duration = self.plan.duration if duration is None else duration
        for attempt in range(self.plan.retries + 1):
            p = self._once(tool, url, files, content_type, concurrency, headers, warmup, duration, server, label,
                           threads_of)
            p.update(label=label, server=server.name, kind=server.kind, route=route, attempt=attempt)
            why = machine.busy_reason(p, self.plan.max_foreign_cpu)
            if not why:
                break
            p["busy"] = why
            log(f"  busy during {label}: {why}")
            if attempt < self.plan.retries:
                self.wait_quiet()
        if p.get("busy"):
            self.busy.append(dict(label=label, why=p["busy"]))
        log(f"  {label:44s} c={concurrency:<3d} {p.get('rps', 0):9.1f} req/s  p50 {fmt_ms(p, 'p50')}  "
            f"p99 {fmt_ms(p, 'p99')}  err {p.get('errors')}  cpu/req {p.get('server_cpu_ms_per_req') or 0:.2f} ms  "
            f"load {p['loadavg_after']:.2f} foreign {p['foreign_cpu_cores']:.2f}" + (f"  {p['error']}" if p.get('error') else ""))
        return p

    def _once(self, tool, url, files, content_type, concurrency, headers, warmup, duration, server, label,
              threads_of):
        server_cpu0 = server.cpu_jiffies()
        threads0 = machine.thread_cpu(threads_of) if threads_of else None
        with machine.CpuAccount([]) as acct:
            try:
                if tool == "wrk":
                    p = loadgen.wrk(url, files, content_type, concurrency, warmup, duration, headers)
                elif tool == "h2load":
                    p = loadgen.h2load(url, files[0], content_type, concurrency, warmup, duration, headers)
                else:
                    p = loadgen.driver(java(), BENCH_CP, WORK, url, files, content_type, concurrency, warmup,
                                       duration, label)
            except (loadgen.LoadError, subprocess.TimeoutExpired) as e:
                p = dict(tool=tool, concurrency=concurrency, error=str(e)[-300:], rps=0, ok=0, errors=None)
            p.update(acct.finish())
        p["foreign_builds"] = machine.foreign_builds([])
        cpu = (server.cpu_jiffies() - server_cpu0) / machine.CLK_TCK
        if p.get("ok"):
            # The server's CPU per answered request over warm-up + measurement (the steadier number on a
            # shared box); wrk's warm-up run is counted by the tool, not here.
            total = p["ok"] * (warmup + p["duration_s"]) / max(p["duration_s"], 1e-3)
            p["server_cpu_ms_per_req"] = round(cpu * 1000 / total, 3)
        if threads0 is not None:
            t1 = machine.thread_cpu(threads_of)
            span = warmup + (p.get("duration_s") or duration)
            p["thread_cpu_pct"] = {k: round((v - threads0.get(k, 0)) / machine.CLK_TCK / span * 100, 1)
                                   for k, v in t1.items() if v - threads0.get(k, 0) > 0}
        return p

    def wait_quiet(self):
        """Waits until processes outside the benchmark use less than the limit (measured over 5 s)."""
        deadline = time.monotonic() + self.plan.quiet_wait
        while time.monotonic() < deadline:
            with machine.CpuAccount([]) as acct:
                time.sleep(5)
                f = acct.finish()
            if f["foreign_cpu_cores"] <= self.plan.max_foreign_cpu and not machine.foreign_builds([]):
                return True
            log(f"  waiting for a quiet machine (others use {f['foreign_cpu_cores']:.2f} cores)")
            time.sleep(25)
        return False


def fmt_ms(p, key):
    v = (p.get("latency_ms") or {}).get(key)
    return f"{v:7.2f}" if v is not None else "      –"


def predict_point(m, model, server, pngs, c, threads=True, tool="wrk", tag="predict"):
    return m.point(f"{model['id']}/{server.name}/{tag}", server, "predict", tool, server.base + "/predict", pngs,
                   "image/png", c, threads_of=server.pid if threads and server.kind == "runtime" else None)


# ---------------------------------------------------------------------------------------------------
# Ceiling


def ort_jar(artifact, version):
    p = os.path.join(M2, "com", "microsoft", "onnxruntime", artifact, version, f"{artifact}-{version}.jar")
    return p if os.path.exists(p) else None


def ceiling(model, plan, threads=1, intra=0, ort=None):
    """The engine in process. @param ort (artifact, version) to run another ONNX Runtime than the built one"""
    tag = f"{threads}-{intra}" + (f"-{ort[0]}-{ort[1]}" if ort else "")
    out = os.path.join(WORK, f"ceiling-{model['id']}-{tag}.json")
    cp = BENCH_CP
    if ort:
        jar = ort_jar(*ort)
        if not jar:
            return dict(error=f"{ort[0]} {ort[1]} is not in ~/.m2 (mvn dependency:get -Dartifact="
                              f"com.microsoft.onnxruntime:{ort[0]}:{ort[1]})")
        lib = [j for j in glob.glob(os.path.join(BENCH, "target", "lib", "*.jar"))
               if not os.path.basename(j).startswith("onnxruntime")]
        cp = os.pathsep.join([os.path.join(BENCH, "target", "classes"), jar] + lib)
    argv = [java(), "-cp", cp, "-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true",
            "com.modelfactory.runtime.bench.ceiling.CeilingRunner", "--model", model["path"],
            "--threads", str(threads), "--intra", str(intra),
            "--format", model["format"], "--batches", ",".join(map(str, plan.batches)),
            "--warmup", str(plan.ceiling_warmup), "--duration", str(plan.ceiling_duration), "--out", out,
            "--label", model["id"]]
    if model.get("item_shape"):
        argv += ["--input-shape", ",".join(map(str, model["item_shape"]))]
    argv += model.get("extra_args") or []
    env = dict(os.environ, OPT_OUT_TRACKING="true", ORT_DISABLE_TELEMETRY="1", TF_CPP_MIN_LOG_LEVEL="2",
               MALLOC_ARENA_MAX="2")
    with machine.CpuAccount([]) as acct:
        p = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=900)
        load = acct.finish()
    log("  " + p.stdout.strip().replace("\n", "\n  "))
    if p.returncode != 0 or not os.path.exists(out):
        err = (p.stderr.strip().splitlines() or ["?"])
        msg = next((line for line in err if "Exception" in line), err[-1])
        log("  ceiling failed:", msg)
        return dict(error=msg)
    with open(out) as f:
        r = json.load(f)
    r.update(load)
    if ort:
        r["ort"] = dict(artifact=ort[0], version=ort[1])
    return r


def measure_ceilings(model, plan, entry, m):
    entry["ceiling"] = ceiling(model, plan)
    if not (entry["ceiling"] or {}).get("error") and machine.CORES > 1:
        # The engine as the runtime's light-model policy runs it: one caller per core, one thread each.
        entry["ceiling_per_core"] = ceiling(model, plan, threads=machine.CORES, intra=1)
    for key in ("ceiling", "ceiling_per_core"):
        c = entry.get(key) or {}
        why = machine.busy_reason(c, plan.max_foreign_cpu) if "foreign_cpu_cores" in c else None
        if why:
            m.busy.append(dict(label=f"{model['id']}/{key}", why=why))
    if model["format"] == "onnx" and plan.ort_versions:
        # ONNX Runtime versions side by side: batch 1 with one thread (engine speed), and both configurations.
        rows = []
        for version in plan.ort_versions:
            for artifact in ("onnxruntime", "onnxruntime_gpu"):
                for threads, intra in ((1, 1), (1, 0), (machine.CORES, 1)):
                    r = ceiling(model, plan, threads, intra, (artifact, version))
                    rows.append(r)
        entry["ceiling_ort"] = rows


# ---------------------------------------------------------------------------------------------------
# Memory breakdown and cold starts


def memory_snapshot(server):
    pid = server.pid
    exe = os.path.realpath(f"/proc/{pid}/exe")
    jcmd = os.path.join(os.path.dirname(exe), "jcmd")
    nmt = machine.nmt_summary(pid, jcmd if os.path.exists(jcmd) else "jcmd")
    rollup = machine.smaps_rollup(pid)
    snap = dict(rss_mb=round(machine.proc_kb(pid, "VmRSS") / 1024, 1), smaps=rollup, nmt_committed_mb=nmt,
                threads=machine.threads_of(pid))
    if nmt.get("Total") and rollup.get("Rss"):
        # What NMT does not see: the engine's own allocations (ORT arenas, libtorch, TF), malloc overhead,
        # plus the file-backed pages of the native libraries and jars; NMT's committed heap may not all
        # be resident, so this is a lower bound of the native share.
        snap["rss_minus_nmt_mb"] = round(rollup["Rss"] - nmt["Total"], 1)
    return snap


def memory_breakdown(model, plan, m, pngs, probe):
    """The runtime with native memory tracking (a few MB of overhead, so not the measured servers)."""
    s = servers.runtime_server("runtime-nmt", model, probe,
                               extra_env={"MODEL_RUNTIME_JVM_EXTRA": "-XX:NativeMemoryTracking=summary"})
    if not s.start():
        s.stop()
        return dict(error=s.error)
    try:
        time.sleep(2)
        idle = memory_snapshot(s)
        predict_point(m, model, s, pngs, plan.headline_c, threads=False, tag="predict-nmt")
        loaded = memory_snapshot(s)
        s.sampler.sample()
        return dict(idle=idle, after_load=loaded, peak_rss_mb=round(s.sampler.peak_rss_kb / 1024, 1))
    finally:
        s.stop()


def cold_starts(model, plan, probe):
    """Start -> first 200 -> stop, alternating runtime and legacy -w2, `cold_starts` times each."""
    out = {}
    makers = [("runtime", lambda: servers.runtime_server("cold-runtime", model, probe)),
              ("legacy-w2", lambda: servers.legacy_server("cold-legacy-w2", model, 2, probe))]
    for _ in range(plan.cold_starts):
        for name, make in makers:
            s = make()
            ok = s.start()
            s.stop()
            if ok:
                out.setdefault(name, []).append(round(s.cold_start_s, 3))
    return {k: dict(runs=v, median=statistics.median(v), min=min(v)) for k, v in out.items()}


# ---------------------------------------------------------------------------------------------------
# One model


def start_servers(model, plan, probe):
    todo = [servers.runtime_server("runtime-batching", model, probe)]
    if plan.batching_off:
        todo.append(servers.runtime_server("runtime-nobatch", model, probe, batching=False))
    if plan.variant_opts:
        todo.append(servers.runtime_server("runtime-tuned", model, probe, java_opts=plan.variant_opts))
    for name, root in plan.other_runtimes:
        todo.append(servers.runtime_server(f"runtime-{name}", model, probe, root=root))
    for name, extra in plan.variants:
        todo.append(servers.runtime_server(f"runtime-{name}", model, probe, extra_env=extra))
    modes = [("legacy-w1", 1, "predict"), ("legacy-w2", 2, "predict")]
    if model.get("keras_modes") and not plan.quick:
        modes += [("legacy-direct-w1", 1, "direct"), ("legacy-direct-w2", 2, "direct")]
    todo += [servers.legacy_server(n, model, w, probe, call) for n, w, call in modes]
    live = []
    for s in todo:  # one at a time, so each cold start has the machine to itself
        ok = s.start()
        log(f"start {s.name}: " + (f"first prediction after {s.cold_start_s:.2f} s" if ok else s.error))
        if ok:
            s.record_idle()
            live.append(s)
        else:
            s.stop()
    return todo, live


HEADLINE = ("runtime-batching", "runtime-tuned", "legacy-w1", "legacy-w2", "legacy-direct-w2")


def measure_model(model, plan, results, m):
    log(f"== {model['id']} ({model['regime']}) {model['path']}")
    entry = dict(id=model["id"], regime=model["regime"], format=model["format"], path=model["path"],
                 servers=[], points=[], headline=[], routes={}, driver_points=[])
    results["models"].append(entry)
    log("ceiling")
    measure_ceilings(model, plan, entry, m)
    err = (entry["ceiling"] or {}).get("error") or ""
    if "no engine on the class path" in err:
        entry["skipped"] = "the runtime has no engine for " + model["format"] + " yet (" + err.strip() + ")"
        return

    pngs = images(model["image_size"])
    with open(pngs[0], "rb") as f:
        probe = f.read()
    all_servers, live = start_servers(model, plan, probe)
    headline_servers = [s for s in live if s.name in HEADLINE or s.name.startswith("runtime-") and
                        s.name not in ("runtime-nobatch",)]
    try:
        for s in live:
            s.phase("predict")
        if plan.settle > 0:
            # Steady state, not the JIT's first seconds: every server runs the headline load first (reported).
            for s in live:
                p = m.point(f"{model['id']}/{s.name}/settle", s, "predict", "wrk", s.base + "/predict", pngs,
                            "image/png", plan.headline_c, warmup=0, duration=plan.settle)
                entry.setdefault("settle", []).append(p)
        for c in plan.concurrency:
            for s in live:
                if s.kind == "legacy" and model["regime"] != "overhead-bound" and c > plan.legacy_max_c_slow:
                    continue
                entry["points"].append(predict_point(m, model, s, pngs, c))
        for rep in range(plan.repeats if plan.repeats > 1 else 0):
            for s in headline_servers:
                p = predict_point(m, model, s, pngs, plan.headline_c, threads=False, tag=f"predict#{rep}")
                p["repeat"] = rep
                entry["headline"].append(p)
        if plan.driver:
            # Coordinated-omission-corrected latencies, where the driver agrees with wrk (see driver_check).
            for s in live:
                if s.name in ("runtime-batching", "legacy-w2"):
                    for c in (1, plan.headline_c):
                        entry["driver_points"].append(predict_point(m, model, s, pngs, c, False, "driver",
                                                                    "predict-driver"))
        # Everything else the runtime serves, after /predict, so /predict's peak RSS is its own.
        # (variants too with BENCH_ROUTE_SERVERS=all; by default only the runtime as configured)
        every = os.environ.get("BENCH_ROUTE_SERVERS") == "all"
        runtimes = [s for s in live if s.name == "runtime-batching" or every and s.kind == "runtime"
                    and s.name != "runtime-nobatch"]
        if runtimes:
            routes = runtime_routes(model, runtimes[0], pngs)
            for route in routes:
                if plan.routes and route.name not in plan.routes:
                    continue
                why = probe_route(route, runtimes[0])
                entry["routes"][route.name] = dict(what=route.what, available=why is None, why=why)
                if why:
                    log(f"  route {route.name}: not available ({why})")
                    continue
                for s in runtimes:
                    s.phase("other routes")
                for c in plan.route_concurrency:
                    for s in runtimes:
                        p = m.point(f"{model['id']}/{s.name}/{route.name}", s, route.name, route.tool,
                                    route.url(s), route.files, route.content_type, c, route.headers)
                        entry["points"].append(p)
    finally:
        for s in all_servers:
            s.stop()
        entry["servers"] = [s.facts() for s in all_servers]
    if plan.cold_starts > 0:
        log("cold starts")
        entry["cold_starts"] = cold_starts(model, plan, probe)
        log("  " + json.dumps(entry["cold_starts"]))
    if plan.memory_breakdown:
        log("memory breakdown (NMT)")
        entry["memory"] = memory_breakdown(model, plan, m, pngs, probe)


# ---------------------------------------------------------------------------------------------------
# The load tools themselves: their ceiling against a stub, and whether the driver agrees with wrk


def stub_ceiling(plan, results, m):
    """wrk (and the driver) against a stub that costs almost nothing: the most they can measure here."""
    port = servers.free_port()
    stub = subprocess.Popen([java(), "-cp", BENCH_CP, "com.modelfactory.runtime.bench.load.StubServer", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    class StubServer:
        name, kind, pid, extra = "stub", "stub", stub.pid, {}
        base = f"http://127.0.0.1:{port}"

        def cpu_jiffies(self):
            return machine.proc_cpu_jiffies(stub.pid)

    try:
        for _ in range(200):
            if _stub_up(port):
                break
            time.sleep(0.05)
        body = images(32)[:1]
        results["tool_ceiling"] = {
            tool: m.point(f"{tool}-vs-stub", StubServer(), "stub", tool, StubServer.base + "/predict", body,
                          "image/png", plan.headline_c)
            for tool in (["wrk"] + (["driver"] if plan.driver else []))}
    finally:
        os.killpg(stub.pid, signal.SIGTERM)
        stub.wait()


def _stub_up(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def driver_check(plan, results, m):
    """wrk and the driver back to back (wrk, driver, driver, wrk) on the runtime (keep-alive) and on legacy
    gunicorn -w 2 (closes every connection), tiny ONNX /predict at 1 and 32 clients. The driver's
    corrected latencies are reported only when every throughput agrees within 10%."""
    model = next(x for x in model_plan(False) if x["id"] == "tiny_onnx")
    pngs = images(32)
    with open(pngs[0], "rb") as f:
        probe = f.read()
    check = dict(limit=0.10, servers={})
    todo = [servers.runtime_server("check-runtime", model, probe), servers.legacy_server("check-legacy-w2", model, 2, probe)]
    try:
        for s in todo:
            if not s.start():
                check["error"] = s.error
                return
            m.point(f"check/{s.name}/settle", s, "predict", "wrk", s.base + "/predict", pngs, "image/png",
                    plan.headline_c, warmup=0, duration=plan.settle)
        for s in todo:
            for c in (1, plan.headline_c):
                runs = {"wrk": [], "driver": []}
                for tool in ("wrk", "driver", "driver", "wrk"):
                    p = predict_point(m, model, s, pngs, c, False, tool, f"check-{tool}")
                    runs[tool].append(dict(rps=p.get("rps"), p50=(p.get("latency_ms") or {}).get("p50"),
                                           p99=(p.get("latency_ms") or {}).get("p99"), connects=p.get("connects")))
                w = statistics.fmean(r["rps"] or 0 for r in runs["wrk"])
                d = statistics.fmean(r["rps"] or 0 for r in runs["driver"])
                ratio = d / w if w else None
                check["servers"].setdefault(s.name, {})[str(c)] = dict(runs=runs, wrk_rps=w, driver_rps=d,
                                                                        ratio=ratio)
                log(f"  driver/wrk {s.name} c={c}: {d:.1f} / {w:.1f} = {ratio:.3f}" if ratio else "  no ratio")
    finally:
        for s in todo:
            s.stop()
        ratios = [v["ratio"] for srv in check["servers"].values() for v in srv.values()]
        check["agrees"] = bool(ratios) and all(r is not None and abs(r - 1) <= check["limit"] for r in ratios)
        results["driver_check"] = check


# ---------------------------------------------------------------------------------------------------
# Machine facts, JMH


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=60).stdout.strip()
    except subprocess.SubprocessError:
        return ""


def machine_facts():
    mem_kb = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    jars = [os.path.basename(p) for p in glob.glob(os.path.join(ROOT, "server", "target", "lib", "*.jar"))]
    engine_jars = sorted(j for j in jars if re.match(r"(onnxruntime|pytorch|api-|tensorflow|jhdf|vertx-core)", j))
    pip = sh(f"{VENV}/bin/pip list --format=freeze 2>/dev/null")
    py_versions = {}
    for line in pip.splitlines():
        name, _, version = line.partition("==")
        if name.lower() in ("flask", "gunicorn", "onnxruntime", "torch", "tensorflow-cpu", "tensorflow_cpu", "keras",
                            "numpy", "pillow"):
            py_versions[name.lower()] = version
    return dict(
        host=socket.gethostname(), cores=os.cpu_count(), cpu=sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"),
        memory_gb=round(mem_kb / 1024 / 1024, 1), kernel=platform.release(),
        jdk=sh("java -version 2>&1 | head -1"), runtime_engine_jars=engine_jars,
        legacy_python=sh(f"{VENV}/bin/python --version"), legacy_packages=py_versions,
        wrk=sh("wrk --version 2>&1 | head -1 | cut -c1-40"), h2load=sh("h2load --version"),
        gpu=sh("nvidia-smi -L 2>/dev/null") or "none (no NVIDIA GPU visible: the CUDA paths were not measured)",
        loadavg_start=machine.loadavg_line(), git=sh(f"git -C {ROOT} log -1 --format='%h %s'"),
        dirty=bool(sh(f"git -C {ROOT} status --porcelain -- server model-loaders pom.xml")))


def jmh(plan, results):
    """The JMH micro-benchmarks of the server's hot paths, with the allocation rate (-prof gc)."""
    out = os.path.join(WORK, "jmh.json")
    argv = [java(), "-cp", BENCH_CP, "org.openjdk.jmh.Main", "-prof", "gc", "-rf", "json", "-rff", out,
            "-f", "1"] + plan.jmh_args
    log("jmh", " ".join(plan.jmh_args))
    with machine.CpuAccount([]) as acct:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=3600)
        load = acct.finish()
    if p.returncode != 0 or not os.path.exists(out):
        results["jmh"] = dict(error=p.stderr[-1000:] or p.stdout[-1000:])
        return
    rows = []
    with open(out) as f:
        for b in json.load(f):
            alloc = b.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {})
            rows.append(dict(benchmark=b["benchmark"].split("runtime.")[-1], params=b.get("params", {}),
                             score=b["primaryMetric"]["score"], error=b["primaryMetric"].get("scoreError"),
                             unit=b["primaryMetric"]["scoreUnit"], alloc_bytes_per_op=alloc.get("score")))
    results["jmh"] = dict(rows=rows, args=plan.jmh_args, **load)


# ---------------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smoke mode: tiny ONNX only, short points")
    ap.add_argument("--out-dir", default=os.path.join(BENCH, "results"))
    ap.add_argument("--tag", default="", help="suffix for the results file name")
    args = ap.parse_args()

    plan = Plan(args.quick)
    started = datetime.datetime.now(datetime.timezone.utc)
    stem = f"{started.strftime('%Y-%m-%d')}-{socket.gethostname()}" + ("-quick" if args.quick else "") + args.tag
    why = machine.wait_until_quiet(plan.start_load, plan.quiet_wait, [], log)
    if why:
        log(f"refusing to measure: the machine is busy ({why}); nothing written")
        sys.exit(3)
    results = dict(started=started.isoformat(timespec="seconds"), mode="quick" if args.quick else "full",
                   machine=machine_facts(), config=plan.public(), models=[])
    log("machine", json.dumps(results["machine"]))
    m = Measurer(plan, results)
    stub_ceiling(plan, results, m)
    if plan.driver:
        log("driver check: LoadDriver against wrk")
        driver_check(plan, results, m)
    if plan.jmh:
        jmh(plan, results)
        j = results["jmh"]
        why = machine.busy_reason(j, plan.max_foreign_cpu) if "foreign_cpu_cores" in j else None
        if why:
            m.busy.append(dict(label="jmh", why=why))
    for model in model_plan(args.quick):
        if not model["path"]:
            results["models"].append(dict(id=model["id"], regime=model["regime"], skipped="model file missing"))
            continue
        measure_model(model, plan, results, m)
    results["finished"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    results["machine"]["loadavg_end"] = machine.loadavg_line()
    results["busy_points"] = m.busy

    if m.busy:
        path = os.path.join(WORK, f"refused-{stem}.json")
        with open(path, "w") as f:
            json.dump(results, f, indent=1)
        log(f"REFUSED: {len(m.busy)} point(s) were measured on a busy machine "
            f"(first: {m.busy[0]['label']}: {m.busy[0]['why']}); no result file written. Numbers for diagnosis: {path}")
        sys.exit(3)
    os.makedirs(args.out_dir, exist_ok=True)
    with open(os.path.join(args.out_dir, stem + ".json"), "w") as f:
        json.dump(results, f, indent=1)
    with open(os.path.join(args.out_dir, stem + ".md"), "w") as f:
        f.write(report.render(results))
    log("wrote", os.path.join(args.out_dir, stem + ".md"))


if __name__ == "__main__":
    main()
