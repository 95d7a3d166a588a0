#!/usr/bin/env python3
"""Runs the benchmark plan and writes benchmarks/results/<date>-<host>.{json,md}.

Started by benchmarks/run.sh after the build; standard library only (the legacy venv is for the
legacy service, not for this script). For each model it measures:
  ceiling  - the engine in process (CeilingRunner), batch 1/8/32;
  runtime  - the server over HTTP, POST /predict (PNG) and POST /v2/models/<name>/infer (JSON tensor),
             batching on and off, at each concurrency;
  legacy   - the Flask app under gunicorn -w 1 and -w 2 (and, for Keras, calling model(x) directly);
  cold start (process start to first 200 on /predict) and peak RSS of each server's process tree.
All servers of one model are started once and stay up; the load points then interleave them at each
concurrency (runtime, legacy, runtime, ...) so machine drift hits all alike, and the headline point
(32 clients) is repeated to give the spread.
"""
import argparse
import datetime
import glob
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
ROOT = os.path.dirname(BENCH)
WORK = os.environ.get("BENCH_WORK", os.path.join(BENCH, "work"))
VENV = os.path.join(WORK, "venv")
FIXTURES = os.path.join(ROOT, "model-loaders", "src", "test", "fixtures")
SERVER_JAR = os.path.join(ROOT, "server", "target", "model-server.jar")
# The runtime is started as it is deployed: its launcher applies the image's JVM settings and the AppCDS
# archive that run.sh makes with server/bin/cds-archive.
LAUNCHER = os.path.join(ROOT, "server", "bin", "model-server")
BENCH_CP = os.path.join(BENCH, "target", "classes") + os.pathsep + os.path.join(BENCH, "target", "lib", "*")

sys.path.insert(0, HERE)
import report  # noqa: E402


def log(*parts):
    print(time.strftime("%H:%M:%S"), *parts, flush=True)


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
# Processes


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_pids(pid):
    """pid and all its descendants, from /proc."""
    children = {}
    for status in glob.glob("/proc/[0-9]*/status"):
        try:
            with open(status) as f:
                text = f.read()
        except OSError:
            continue
        m = re.search(r"^PPid:\s+(\d+)", text, re.M)
        if m:
            children.setdefault(int(m.group(1)), []).append(int(status.split("/")[2]))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def proc_kb(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class MemorySampler(threading.Thread):
    """Samples the summed VmRSS of a process tree (gunicorn master + workers, or the JVM) every 100 ms."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_rss_kb = 0
        self.peak_hwm_kb = 0
        self.stop_event = threading.Event()

    def run(self):
        while not self.stop_event.is_set():
            self.sample()
            self.stop_event.wait(0.1)

    def sample(self):
        pids = tree_pids(self.pid)
        rss = sum(proc_kb(p, "VmRSS") for p in pids)
        hwm = sum(proc_kb(p, "VmHWM") for p in pids)
        self.peak_rss_kb = max(self.peak_rss_kb, rss)
        self.peak_hwm_kb = max(self.peak_hwm_kb, hwm)

    def stop(self):
        self.stop_event.set()


class Server:
    """One server process (runtime or legacy): started, timed to its first prediction, sampled, stopped."""

    def __init__(self, name, kind, argv, env, port, predict_body, content_type="image/png", cwd=None):
        self.name = name
        self.kind = kind
        self.argv = argv
        self.env = env
        self.port = port
        self.predict_body = predict_body
        self.content_type = content_type
        self.cwd = cwd
        self.proc = None
        self.sampler = None
        self.cold_start_s = None
        self.error = None
        self.log_path = os.path.join(WORK, "logs", f"{name}.log")

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=180):
        os.makedirs(os.path.dirname(self.log_path), exist_ok=True)
        logf = open(self.log_path, "w")
        t0 = time.monotonic()
        self.proc = subprocess.Popen(self.argv, env=self.env, stdout=logf, stderr=subprocess.STDOUT,
                                     cwd=self.cwd, start_new_session=True)
        self.sampler = MemorySampler(self.proc.pid)
        self.sampler.start()
        while time.monotonic() - t0 < timeout:
            if self.proc.poll() is not None:
                self.error = f"exited with {self.proc.returncode} before answering; see {self.log_path}"
                return False
            status = post(self.base + "/predict", self.predict_body, self.content_type, timeout=30)
            if status == 200:
                self.cold_start_s = time.monotonic() - t0
                return True
            time.sleep(0.02)
        self.error = f"no successful prediction within {timeout} s; see {self.log_path}"
        return False

    def stop(self):
        if self.sampler:
            self.sampler.sample()
            self.sampler.stop()
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def facts(self):
        return dict(name=self.name, kind=self.kind, cold_start_s=self.cold_start_s, error=self.error,
                    peak_rss_mb=round(self.sampler.peak_rss_kb / 1024, 1) if self.sampler else None,
                    peak_hwm_mb=round(self.sampler.peak_hwm_kb / 1024, 1) if self.sampler else None,
                    argv=" ".join(self.argv[-6:]))


def post(url, body, content_type, timeout=10):
    req = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except (urllib.error.URLError, ConnectionError, socket.timeout, OSError):
        return None


def get_json(url, timeout=10):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return json.loads(r.read())
    except (urllib.error.URLError, ValueError, OSError):
        return None


def java():
    return shutil.which("java") or "java"


def torchscript_input_name(path):
    """The first argument name of the model's forward(), as torch itself reports it (legacy venv)."""
    code = "import sys, torch; print(torch.jit.load(sys.argv[1]).forward.schema.arguments[1].name)"
    p = subprocess.run([os.path.join(VENV, "bin", "python"), "-c", code, path], capture_output=True, text=True)
    return p.stdout.strip() or "input"


def runtime_server(name, model, port, batching, probe, java_opts=None):
    # GRPC_PORT=0: gRPC is served on PORT too, and servers of one run never meet on the default 8081.
    env = dict(os.environ, PORT=str(port), GRPC_PORT="0", MODEL_PATH=model["path"], MODEL_NAME=model["id"],
               OPT_OUT_TRACKING="true", ORT_DISABLE_TELEMETRY="1", TF_CPP_MIN_LOG_LEVEL="2")
    if not batching:
        env["MAX_BATCH_SIZE"] = "1"
    if model.get("item_shape") and model["format"] == "torchscript":
        # TorchScript files do not say their input shape; the runtime is told as a deployment would be.
        env["MODEL_INPUTS"] = "{}:FP32:-1x{}".format(torchscript_input_name(model["path"]),
                                                     "x".join(str(d) for d in model["item_shape"]))
    opts = os.environ.get("RUNTIME_JAVA_OPTS", "") if java_opts is None else java_opts
    if opts.strip():
        env["JAVA_OPTS"] = opts.strip()  # replaces the launcher's defaults, as in a deployment
    env.setdefault("MODEL_RUNTIME_JAR", SERVER_JAR)
    return Server(name, "runtime", [LAUNCHER], env, port, probe)


def legacy_server(name, model, port, workers, probe, keras_call="predict"):
    env = dict(os.environ, MODEL_PATH=model["path"], KERAS_CALL=keras_call, TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONDONTWRITEBYTECODE="1")
    if model.get("item_shape"):
        env["INPUT_SHAPE"] = ",".join(str(d) for d in model["item_shape"])
    legacy = os.path.join(BENCH, "legacy")
    argv = [os.path.join(VENV, "bin", "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
            "--chdir", legacy, "--log-level", "warning", "flask_service:app"]
    return Server(name, "legacy", argv, env, port, probe)


# ---------------------------------------------------------------------------------------------------
# Measurements


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def drive(label, url, bodies, content_type, concurrency, warmup, duration):
    out = os.path.join(WORK, "driver-out.json")
    if os.path.exists(out):
        os.remove(out)
    argv = [java(), "-XX:+UseSerialGC", "-Xss256k", "-cp", BENCH_CP,
            "com.modelfactory.runtime.bench.load.LoadDriver", "--url", url, "--content-type", content_type,
            "-c", str(concurrency), "--loops", os.environ.get("BENCH_DRIVER_LOOPS", "2"), "--warmup", str(warmup), "--duration", str(duration),
            "--label", label, "--out", out]
    for b in bodies:
        argv += ["--body", b]
    load_before = loadavg()
    p = subprocess.run(argv, capture_output=True, text=True, timeout=warmup + duration + 120)
    if p.returncode != 0 or not os.path.exists(out):
        log("driver failed:", p.stderr[-2000:])
        return dict(label=label, concurrency=concurrency, error=p.stderr[-500:])
    with open(out) as f:
        result = json.load(f)
    result["loadavg_before"] = load_before
    result["loadavg_after"] = loadavg()
    log("  " + p.stdout.strip())
    return result


def ceiling(model, cfg, threads=1, intra=0):
    out = os.path.join(WORK, f"ceiling-{model['id']}-{threads}.json")
    argv = [java(), "-cp", BENCH_CP, "-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true",
            "com.modelfactory.runtime.bench.ceiling.CeilingRunner", "--model", model["path"],
            "--threads", str(threads), "--intra", str(intra),
            "--format", model["format"], "--batches", ",".join(map(str, cfg.batches)),
            "--warmup", str(cfg.ceiling_warmup), "--duration", str(cfg.ceiling_duration), "--out", out,
            "--label", model["id"]]
    if model.get("item_shape"):
        argv += ["--input-shape", ",".join(map(str, model["item_shape"]))]
    cp = os.environ.get("CEILING_CLASSPATH")
    if cp:
        argv[argv.index(BENCH_CP)] = BENCH_CP + os.pathsep + cp
    env = dict(os.environ, OPT_OUT_TRACKING="true", ORT_DISABLE_TELEMETRY="1", TF_CPP_MIN_LOG_LEVEL="2")
    p = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600)
    log("  " + p.stdout.strip().replace("\n", "\n  "))
    if p.returncode != 0 or not os.path.exists(out):
        err = (p.stderr.strip().splitlines() or ["?"])
        msg = next((l for l in err if "Exception" in l), err[-1])
        log("  ceiling failed:", msg)
        return dict(error=msg)
    with open(out) as f:
        return json.load(f)


def infer_bodies(server, model, count=4):
    """OIP v2 request bodies with the model's input name and shape, as read from the runtime's metadata."""
    meta = get_json(f"{server.base}/v2/models/{model['id']}")
    if not meta or not meta.get("inputs"):
        return None, None
    spec = meta["inputs"][0]
    shape = [1 if (d is None or d < 0) else d for d in spec.get("shape", [])]
    if len(shape) == len(model.get("item_shape") or []) + 1 and model.get("item_shape"):
        shape = [1] + model["item_shape"]
    if shape and shape[0] != 1:
        shape[0] = 1
    n = 1
    for d in shape:
        n *= d
    rng = random.Random(7)
    files = []
    for i in range(count):
        body = {"inputs": [{"name": spec["name"], "shape": shape, "datatype": spec.get("datatype", "FP32"),
                            "data": [round(rng.random(), 4) for _ in range(n)]}]}
        path = os.path.join(WORK, f"infer-{model['id']}-{i}.json")
        with open(path, "w") as f:
            json.dump(body, f, separators=(",", ":"))
        files.append(path)
    return f"{server.base}/v2/models/{model['id']}/infer", files


def measure_model(model, cfg, results):
    log(f"== {model['id']} ({model['regime']}) {model['path']}")
    entry = dict(id=model["id"], regime=model["regime"], format=model["format"], path=model["path"],
                 ceiling=None, servers=[], points=[], headline=[])
    results["models"].append(entry)
    if cfg.ceiling:
        log("ceiling")
        entry["ceiling"] = ceiling(model, cfg)
        if not (entry["ceiling"] or {}).get("error") and os.cpu_count() and os.cpu_count() > 1:
            # The engine as the runtime runs it on CPU: one caller per core, one intra-op thread each.
            log("ceiling, one caller per core")
            entry["ceiling_per_core"] = ceiling(model, cfg, threads=os.cpu_count(), intra=1)
        err = (entry["ceiling"] or {}).get("error") or ""
        if "no engine on the class path" in err:
            # The runtime cannot serve it either; measuring the legacy side alone compares nothing.
            entry["skipped"] = "the runtime has no engine for " + model["format"] + " yet (" + err.strip() + ")"
            log("  skipped:", entry["skipped"])
            return

    pngs = images(model["image_size"])
    with open(pngs[0], "rb") as f:
        probe = f.read()
    servers = []
    if cfg.runtime:
        if os.path.exists(SERVER_JAR):
            servers.append(runtime_server("runtime-batching", model, free_port(), True, probe))
            if cfg.batching_off:
                servers.append(runtime_server("runtime-nobatch", model, free_port(), False, probe))
            if os.environ.get("RUNTIME_VARIANT_OPTS"):
                # A second runtime with other JVM flags, interleaved with the default one (before/after).
                servers.append(runtime_server("runtime-tuned", model, free_port(), True, probe,
                                              os.environ["RUNTIME_VARIANT_OPTS"]))
        else:
            entry["runtime_missing"] = f"{SERVER_JAR} not built"
    legacy_modes = [("legacy-w1", 1, "predict")] + ([("legacy-w2", 2, "predict")] if cfg.legacy_w2 else [])
    if model.get("keras_modes") and not cfg.quick:
        legacy_modes += [("legacy-direct-w1", 1, "direct"), ("legacy-direct-w2", 2, "direct")]
    for name, workers, call in legacy_modes:
        servers.append(legacy_server(name, model, free_port(), workers, probe, call))

    # Start one at a time so each cold start has the machine to itself.
    live = []
    for s in servers:
        ok = s.start()
        log(f"start {s.name}: " + (f"first prediction after {s.cold_start_s:.2f} s" if ok else s.error))
        if ok:
            live.append(s)
        else:
            s.stop()
    try:
        v2 = {}
        for s in live:
            if s.kind == "runtime":
                url, bodies = infer_bodies(s, model)
                if url:
                    v2[s.name] = (url, bodies)
                else:
                    log(f"  {s.name}: no /v2 metadata for {model['id']}; /v2 infer skipped")
        # Settle: every server runs the headline load for a while before anything is recorded, so the
        # points measure steady state (the JVM's JIT compiles the request path in the first ~20 s on two
        # busy cores) rather than warm-up. Recorded apart, so a reader sees what the first seconds cost.
        if cfg.settle > 0:
            for s in live:
                r = drive(f"{model['id']}/{s.name}/settle", s.base + "/predict", pngs, "image/png",
                          cfg.headline_c, 0, cfg.settle)
                r.update(server=s.name, kind=s.kind, route="predict")
                entry.setdefault("settle", []).append(r)
                if s.name in v2:
                    url, bodies = v2[s.name]
                    drive(f"{model['id']}/{s.name}/settle-v2", url, bodies, "application/json", cfg.headline_c, 0,
                          max(1, cfg.settle // 3))
        for c in cfg.concurrency:
            for s in live:
                if s.kind == "legacy" and model["regime"] != "overhead-bound" and c > cfg.legacy_max_c_slow:
                    continue
                r = drive(f"{model['id']}/{s.name}/predict", s.base + "/predict", pngs, "image/png", c,
                          cfg.warmup, cfg.duration)
                r.update(server=s.name, kind=s.kind, route="predict")
                entry["points"].append(r)
                if s.name in v2 and (c in cfg.v2_concurrency):
                    url, bodies = v2[s.name]
                    r = drive(f"{model['id']}/{s.name}/v2", url, bodies, "application/json", c, cfg.warmup,
                              cfg.duration)
                    r.update(server=s.name, kind=s.kind, route="v2")
                    entry["points"].append(r)
        # Headline: repeated interleaved runs at the headline concurrency, for the spread.
        if cfg.repeats > 1:
            c = cfg.headline_c
            for rep in range(cfg.repeats):
                for s in live:
                    if s.name not in ("runtime-batching", "runtime-tuned", "legacy-w1", "legacy-w2",
                                      "legacy-direct-w2"):
                        continue
                    r = drive(f"{model['id']}/{s.name}/predict#{rep}", s.base + "/predict", pngs, "image/png", c,
                              cfg.warmup, cfg.duration)
                    r.update(server=s.name, kind=s.kind, route="predict", repeat=rep)
                    entry["headline"].append(r)
    finally:
        for s in servers:
            s.stop()
        entry["servers"] = [s.facts() for s in servers]


# ---------------------------------------------------------------------------------------------------
# Machine facts


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
    cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
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
        host=socket.gethostname(), cores=os.cpu_count(), cpu=cpu, memory_gb=round(mem_kb / 1024 / 1024, 1),
        kernel=platform.release(), jdk=sh("java -version 2>&1 | head -1"),
        runtime_engine_jars=engine_jars, legacy_python=sh(f"{VENV}/bin/python --version"),
        legacy_packages=py_versions, loadavg_start=open("/proc/loadavg").read().strip(),
        git=sh(f"git -C {ROOT} log -1 --format='%h %s'"))


# ---------------------------------------------------------------------------------------------------


def driver_ceiling(cfg, results):
    """The driver against a stub that costs almost nothing: the most the driver can measure on this box."""
    port = free_port()
    stub = subprocess.Popen([java(), "-cp", BENCH_CP, "com.modelfactory.runtime.bench.load.StubServer", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        for _ in range(200):
            if get_status(f"http://127.0.0.1:{port}/"):
                break
            time.sleep(0.05)
        body = (images(32) or [None])[0]
        r = drive("driver-vs-stub", f"http://127.0.0.1:{port}/predict", [body], "image/png", cfg.headline_c,
                  cfg.warmup, cfg.duration)
        results["driver_ceiling"] = r
        if shutil.which("wrk") and not cfg.quick:
            # The same stub through wrk, for comparison: the driver was chosen by this measurement.
            lua = os.path.join(WORK, "post.lua")
            with open(lua, "w") as f:
                f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "image/png"\n'
                        f'local f = io.open("{body}", "rb"); wrk.body = f:read("*all"); f:close()\n')
            p = subprocess.run(["wrk", "-t2", f"-c{cfg.headline_c}", f"-d{int(cfg.duration)}s", "-s", lua,
                                f"http://127.0.0.1:{port}/predict"], capture_output=True, text=True)
            m = re.search(r"Requests/sec:\s+([\d.]+)", p.stdout)
            results["wrk_vs_stub_rps"] = float(m.group(1)) if m else None
            log("  wrk against the same stub:", results["wrk_vs_stub_rps"], "req/s")
    finally:
        os.killpg(stub.pid, signal.SIGTERM)
        stub.wait()


def get_status(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status
    except (urllib.error.URLError, OSError):
        return None


def jmh(cfg, results):
    """The JMH micro-benchmarks of the server's hot paths, with the allocation rate (-prof gc)."""
    out = os.path.join(WORK, "jmh.json")
    argv = [java(), "-cp", BENCH_CP, "org.openjdk.jmh.Main", "-prof", "gc", "-rf", "json", "-rff", out,
            "-f", "1"] + cfg.jmh_args
    log("jmh", " ".join(cfg.jmh_args))
    p = subprocess.run(argv, capture_output=True, text=True, timeout=1800)
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
    results["jmh"] = dict(rows=rows, args=cfg.jmh_args)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smoke mode: tiny ONNX only, short runs (< 1 min)")
    ap.add_argument("--out-dir", default=os.path.join(BENCH, "results"))
    ap.add_argument("--tag", default="", help="suffix for the results file name")
    args = ap.parse_args()

    class Cfg:
        pass

    cfg = Cfg()
    cfg.quick = args.quick
    cfg.ceiling = True
    cfg.runtime = True
    cfg.batches = [1, 8, 32]
    if args.quick:
        cfg.concurrency, cfg.v2_concurrency = [1, 32], [32]
        cfg.warmup, cfg.duration, cfg.settle = 1, 2, 5
        cfg.ceiling_warmup, cfg.ceiling_duration = 0.5, 1
        cfg.repeats, cfg.batching_off, cfg.legacy_w2 = 1, False, False
    else:
        cfg.concurrency, cfg.v2_concurrency = [1, 8, 32, 64], [1, 32]
        cfg.warmup, cfg.duration, cfg.settle = 2, 4, 20
        cfg.ceiling_warmup, cfg.ceiling_duration = 2, 4
        cfg.repeats, cfg.batching_off, cfg.legacy_w2 = 3, True, True
    cfg.headline_c = 32
    cfg.jmh = not args.quick and os.environ.get("BENCH_JMH", "1") != "0"
    cfg.jmh_args = ["-wi", "2", "-w", "1s", "-i", "3", "-r", "1s"]
    # Legacy on a compute-bound model at 64 clients only queues longer; 32 already saturates it.
    cfg.legacy_max_c_slow = 64
    for key in ("warmup", "duration", "repeats", "settle"):
        if os.environ.get("BENCH_" + key.upper()):
            setattr(cfg, key, type(getattr(cfg, key))(os.environ["BENCH_" + key.upper()]))

    started = datetime.datetime.now(datetime.timezone.utc)
    cfg.runtime_variant_opts = os.environ.get("RUNTIME_VARIANT_OPTS")
    results = dict(started=started.isoformat(timespec="seconds"), mode="quick" if args.quick else "full",
                   machine=machine_facts(), config={k: v for k, v in vars(cfg).items()}, models=[])
    log("machine", json.dumps(results["machine"]))
    driver_ceiling(cfg, results)
    if cfg.jmh:
        jmh(cfg, results)
    plan = model_plan(args.quick)
    for model in plan:
        if not model["path"]:
            results["models"].append(dict(id=model["id"], regime=model["regime"], skipped="model file missing"))
            continue
        measure_model(model, cfg, results)
    results["finished"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    results["machine"]["loadavg_end"] = open("/proc/loadavg").read().strip()

    os.makedirs(args.out_dir, exist_ok=True)
    stem = f"{started.strftime('%Y-%m-%d')}-{socket.gethostname()}" + ("-quick" if args.quick else "") + args.tag
    with open(os.path.join(args.out_dir, stem + ".json"), "w") as f:
        json.dump(results, f, indent=1)
    with open(os.path.join(args.out_dir, stem + ".md"), "w") as f:
        f.write(report.render(results))
    log("wrote", os.path.join(args.out_dir, stem + ".md"))


if __name__ == "__main__":
    main()
