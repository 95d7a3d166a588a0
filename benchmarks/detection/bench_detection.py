"""The detection benchmark: YOLOv8n (int8, 320) behind POST /predict with a real JPEG photo (bus.jpg,
810x1080), the Java runtime against the Python baseline (python_service.py under gunicorn, -w 2 and -w 1),
in one run, wrk as the load generator. Run it through bench_detection.sh (which makes the venv).

Order: every server is started one after the other (each must be ready, answer bus.jpg like expected.json,
and is then warmed up for BENCH_WARMUP s at the highest concurrency); all stay up, idle when not measured.
Then for each round and each concurrency, every server gets one point: BENCH_POINT_WARMUP s of wrk thrown
away, BENCH_DURATION s measured (the order of the servers rotates from one concurrency to the next, so no
server is always the first after a switch). Peak RSS is the sum of VmRSS over the server's process tree
(gunicorn master + workers, or the JVM), sampled every 100 ms during its points only.

    bench_detection.py [--write]
env: BENCH_SERVERS        which to run, of java,py2,py1 (default all three)
     BENCH_DURATION       seconds per measured point (15)     BENCH_WARMUP        warm-up after start (10)
     BENCH_POINT_WARMUP   seconds thrown away per point (2)   BENCH_CONCURRENCY   clients (1,32)
     BENCH_ROUNDS         rounds of all points; medians of req/s and latency, max of RSS (1)
     DET_MODEL_PATH       the .onnx (default ../shared/models/vision/yolov8n_int8_320/yolov8n_int8.onnx)
     JAVA_SERVER_CMD      the Java server's command line, run by bash in the repository root
                          (default: server/bin/model-server --model $DET_MODEL_PATH --port $JAVA_PORT)
     JAVA_PORT (5611)  JAVA_PREDICT_PATH (/predict)  JAVA_READY_PATH (/v2/health/ready)  JAVA_READY_TIMEOUT (120)
     PY_PORT_W2 (5612)  PY_PORT_W1 (5613)  DET_VENV  the venv with gunicorn (bench_detection.sh sets it)
     BENCH_START_LOAD (0.5) BENCH_QUIET_WAIT (600 s)   wait for a 1-minute load below this and no build first
     BENCH_MAX_FOREIGN_CPU (0.3 cores)  BENCH_BUSY_RETRIES (1)  a point during which other processes (or the
                          idle servers) used more CPU is busy and measured again; --write refuses busy results
                          (exit 3) unless BENCH_ALLOW_BUSY=1
     BENCH_WORK           logs go to $BENCH_WORK/logs (default benchmarks/work)
"""
import datetime
import hashlib
import json
import os
import platform
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
sys.path.insert(0, os.path.join(BENCH, "harness"))
sys.path.insert(0, HERE)

import loadgen  # noqa: E402  (benchmarks/harness: wrk with post.lua, one JSON line per point)
import machine  # noqa: E402  (benchmarks/harness: /proc process trees, CPU used by others)
import check_python_service as checker  # noqa: E402

WORK = os.environ.get("BENCH_WORK", os.path.join(BENCH, "work"))
MODEL = os.path.abspath(os.environ.get("DET_MODEL_PATH", os.path.join(
    ROOT, "..", "shared", "models", "vision", "yolov8n_int8_320", "yolov8n_int8.onnx")))
MODEL_DIR = os.path.dirname(MODEL)
VENV = os.environ.get("DET_VENV", os.path.join(WORK, "venv-det"))


def env_int(name, default):
    return int(os.environ.get(name, str(default)))


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def http_status(url, timeout=5):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except (urllib.error.URLError, OSError):
        return None


def port_in_use(port):
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


class RssSampler(threading.Thread):
    """Sums VmRSS over one process tree every 100 ms while `active`; the tree is re-read once a second (reading
    all of /proc costs ~5 ms, VmRSS of a few known pids almost nothing), so the sampler stays off the CPU the
    servers need."""

    def __init__(self, root_pid):
        super().__init__(daemon=True)
        self.root_pid = root_pid
        self.active = False
        self.peak_kb = 0
        self.samples = 0
        self.stop_event = threading.Event()

    def run(self):
        pids, n = [], 0
        while not self.stop_event.wait(0.1):
            if not self.active:
                n = 0
                continue
            if n % 10 == 0:
                pids = machine.tree_pids(self.root_pid)
            n += 1
            rss = sum(machine.proc_kb(p, "VmRSS") for p in pids)
            if rss:
                self.peak_kb = max(self.peak_kb, rss)
                self.samples += 1

    def rss_now_mb(self):
        return sum(machine.proc_kb(p, "VmRSS") for p in machine.tree_pids(self.root_pid)) / 1024


class Server:
    def __init__(self, key, name, argv, port, predict_path, ready_path, ready_timeout, cwd, env=None, shell=False):
        self.key, self.name, self.argv, self.port = key, name, argv, port
        self.predict_url = f"http://127.0.0.1:{port}{predict_path}"
        self.ready_url = f"http://127.0.0.1:{port}{ready_path}"
        self.ready_timeout = ready_timeout
        self.cwd, self.env, self.shell = cwd, env, shell
        self.proc = None
        self.sampler = None
        self.error = None
        self.log_tail = None
        self.problems = []
        self.ready_s = None
        self.idle_rss_mb = None
        self.log_path = os.path.join(WORK, "logs", f"detection-{key}.log")
        self.points = []

    @property
    def cmdline(self):
        return self.argv if self.shell else " ".join(self.argv)

    def start(self):
        if port_in_use(self.port):
            self.error = f"port {self.port} is already in use (another server?); stop it or set the port"
            return False
        os.makedirs(os.path.dirname(self.log_path), exist_ok=True)
        logf = open(self.log_path, "w")
        argv = ["bash", "-c", self.argv] if self.shell else self.argv
        t0 = time.monotonic()
        try:
            self.proc = subprocess.Popen(argv, cwd=self.cwd, env=self.env, stdout=logf, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        except OSError as e:
            self.error = f"cannot start {self.cmdline}: {e}"
            return False
        finally:
            logf.close()
        self.sampler = RssSampler(self.proc.pid)
        self.sampler.start()
        while time.monotonic() - t0 < self.ready_timeout:
            if self.proc.poll() is not None:
                self.error = (f"exited with status {self.proc.returncode} before {self.ready_url} answered 200 "
                              f"(log: {self.log_path})")
                self.log_tail = tail(self.log_path)
                return False
            if http_status(self.ready_url, timeout=2) == 200:
                self.ready_s = time.monotonic() - t0
                return True
            time.sleep(0.2)
        self.error = f"{self.ready_url} did not answer 200 within {self.ready_timeout} s (log: {self.log_path})"
        self.log_tail = tail(self.log_path)
        return False

    def stop(self):
        if self.sampler:
            self.sampler.stop_event.set()
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)  # the session this harness started for the server
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            except ProcessLookupError:
                pass


def tail(path, n=15):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:]).rstrip() or "(empty)"
    except OSError:
        return "(no log)"


def make_servers(selected):
    java_port = env_int("JAVA_PORT", 5611)
    default_java = f"server/bin/model-server --model {MODEL} --port {java_port}"
    py_env = dict(os.environ, DET_MODEL_PATH=MODEL)
    gunicorn = os.path.join(VENV, "bin", "gunicorn")
    out = []
    for key in selected:
        if key == "java":
            out.append(Server("java", "runtime (Java)", os.environ.get("JAVA_SERVER_CMD", default_java), java_port,
                              os.environ.get("JAVA_PREDICT_PATH", "/predict"),
                              os.environ.get("JAVA_READY_PATH", "/v2/health/ready"),
                              env_int("JAVA_READY_TIMEOUT", 120), ROOT, shell=True))
        elif key in ("py2", "py1"):
            workers = 2 if key == "py2" else 1
            port = env_int("PY_PORT_W2" if workers == 2 else "PY_PORT_W1", 5612 if workers == 2 else 5613)
            argv = [gunicorn, "-w", str(workers), "-b", f"127.0.0.1:{port}", "--chdir", HERE, "python_service:app"]
            out.append(Server(key, f"python gunicorn -w {workers}", argv, port, "/predict", "/health",
                              env_int("PY_READY_TIMEOUT", 120), HERE, env=py_env))
        else:
            raise SystemExit(f"unknown server {key!r} in BENCH_SERVERS (java, py2, py1)")
    return out


def tree_cpu_jiffies(pid):
    return sum(machine.proc_cpu_jiffies(p) for p in machine.tree_pids(pid))


def wait_drained(server, max_wait=120.0):
    """Waits until the server stopped working off requests that a finished wrk left behind (a gunicorn sync
    worker still computes every request it accepted after the client went away: 32 of them are seconds of
    CPU), so that neither the next point of this server nor another server's point pays for them.
    Drained: under 5% of a core over two windows of 0.5 s in a row. @return seconds waited"""
    t0 = time.monotonic()
    quiet, last = 0, tree_cpu_jiffies(server.proc.pid)
    while quiet < 2 and time.monotonic() - t0 < max_wait:
        time.sleep(0.5)
        now = tree_cpu_jiffies(server.proc.pid)
        quiet = quiet + 1 if (now - last) / machine.CLK_TCK / 0.5 < 0.05 else 0
        last = now
    return time.monotonic() - t0


def measure(server, others, body, concurrency, warmup, duration):
    """One point: warmup s of wrk thrown away, the server drained, then duration s measured (wrk's own
    warm-up in loadgen is not used: its connections' queued requests would run into the measured part)."""
    s = server.sampler
    s.active = True
    try:
        if warmup > 0:
            loadgen.wrk(server.predict_url, [body], "image/jpeg", concurrency, 0, warmup)
            wait_drained(server)
        other0 = sum(tree_cpu_jiffies(o.proc.pid) for o in others)
        t0 = time.monotonic()
        with machine.CpuAccount([server.proc.pid]) as cpu:
            p = loadgen.wrk(server.predict_url, [body], "image/jpeg", concurrency, 0, duration)
            p.update(cpu.finish())
        # CpuAccount counts every process of this harness as its own: the idle servers' CPU is added here.
        other = sum(tree_cpu_jiffies(o.proc.pid) for o in others) - other0
        p["other_servers_cpu_cores"] = round(other / machine.CLK_TCK / (time.monotonic() - t0), 3)
        p["foreign_cpu_cores"] = round(p["foreign_cpu_cores"] + p["other_servers_cpu_cores"], 3)
    finally:
        s.active = False
    p["drain_s"] = round(wait_drained(server), 1)
    p["peak_rss_mb_so_far"] = round(s.peak_kb / 1024, 1)
    return p


def wait_others_quiet(max_cores, max_wait):
    """Waits until processes outside this harness (servers included) used under max_cores over 2 s."""
    deadline = time.monotonic() + max_wait
    while time.monotonic() < deadline:
        with machine.CpuAccount([]) as cpu:
            time.sleep(2.0)
            if cpu.finish()["foreign_cpu_cores"] < max_cores:
                return


def busy_reason(p, max_foreign_cpu):
    """Why a point was measured on a busy machine, or None (others' CPU includes the idle servers' CPU)."""
    if p.get("foreign_cpu_cores", 0) > max_foreign_cpu:
        return f"others used {p['foreign_cpu_cores']:.2f} cores (limit {max_foreign_cpu})"
    if p.get("foreign_load", 0) > machine.CORES:
        return f"{p['foreign_load']:.2f} runnable threads outside the benchmark, above {machine.CORES} cores"
    return None


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarize(server, concurrency):
    pts = [p for p in server.points if p["concurrency"] == concurrency and "error" not in p]
    if not pts:
        return None
    return dict(rps=median([p["rps"] for p in pts]), p50=median([p["latency_ms"]["p50"] for p in pts]),
                p99=median([p["latency_ms"]["p99"] for p in pts]), errors=sum(p["errors"] for p in pts),
                requests=sum(p["requests"] for p in pts), foreign_cpu=max(p["foreign_cpu_cores"] for p in pts))


def fmt(v, digits=1):
    if v is None:
        return "n/a"
    return f"{v:,.{digits}f}"


def ratio(a, b, digits=2):
    if a is None or b is None or b == 0:
        return None
    return a / b


def runtime_split(port):
    """Per image: decode + pre-process, engine, post-process, from the runtime's Prometheus counters."""
    import urllib.request
    try:
        text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    except OSError as e:
        log(f"runtime /metrics not read: {e}")
        return None
    v = {}
    for line in text.splitlines():
        if line.startswith("#") or " " not in line:
            continue
        name, value = line.rsplit(" ", 1)
        v[name.split("{")[0]] = v.get(name.split("{")[0], 0.0) + float(value)
    images = v.get("model_postprocess_images_total", 0.0)
    batches = v.get("model_inference_seconds_count", 0.0)
    items = v.get("model_batch_size_sum", batches)
    if not images or not batches:
        return None
    engine_per_item = v["model_inference_seconds_sum"] / max(items, 1)
    post = v["model_postprocess_seconds_total"] / images
    return {"preprocess_ms": 1e3 * v["model_preprocess_seconds_sum"] / max(v["model_preprocess_seconds_count"], 1),
            "engine_ms": 1e3 * engine_per_item, "items_per_batch": items / batches,
            "postprocess_ms": 1e3 * post, "postprocess_share": post / engine_per_item}


def report(servers, cfg, meta):
    lo, hi = min(cfg["concurrency"]), max(cfg["concurrency"])
    lines = [f"# Detection benchmark: YOLOv8n int8 320 behind /predict, bus.jpg ({meta['date']})", ""]
    lines += [f"- git: {meta['git']}; machine: {meta['cpu']} x {machine.CORES} cores, {meta['kernel']}",
              f"- model: `{meta['model']}` (sha256 {meta['model_sha256'][:12]}..., {meta['model_sha_ok']}); "
              f"photo: bus.jpg {meta['photo_bytes']:,} bytes, 810x1080",
              f"- wrk -t1 --timeout 30s -s benchmarks/wrk/post.lua, Content-Type image/jpeg; "
              f"{cfg['rounds']} round(s) x {cfg['duration']} s per point after {cfg['point_warmup']} s thrown away; "
              f"{cfg['warmup']} s warm-up per server after start; servers interleaved per concurrency",
              f"- peak RSS: sum of VmRSS over the server's process tree, every 100 ms, during its points; after every "
              f"wrk run the harness waits until the server has worked off the requests left in its queue", ""]
    for s in servers:
        lines.append(f"- {s.name}: `{s.cmdline}`")
    lines.append("")
    head = (f"| server | answer | req/s c={hi} | p50 c={lo} (ms) | p99 c={lo} (ms) | peak RSS (MiB) | "
            f"idle RSS (MiB) | errors |")
    lines += [head, "|---|---|---|---|---|---|---|---|"]
    table = {}
    for s in servers:
        if s.error and not s.points:
            lines.append(f"| {s.name} | FAILED: {s.error.splitlines()[0]} | | | | | | |")
            continue
        a, b = summarize(s, hi), summarize(s, lo)
        peak = s.sampler.peak_kb / 1024 if s.sampler and s.sampler.samples else None
        table[s.key] = dict(rps_hi=a and a["rps"], p50_lo=b and b["p50"], p99_lo=b and b["p99"], peak_rss=peak)
        errors = sum(p.get("errors", 0) for p in s.points)
        answer = "OK" if not s.problems else "MISMATCH"
        lines.append(f"| {s.name} | {answer} | {fmt(a and a['rps'])} | {fmt(b and b['p50'], 2)} | "
                     f"{fmt(b and b['p99'], 2)} | {fmt(peak)} | {fmt(s.idle_rss_mb)} | {errors} |")
    if "java" in table:
        lines += ["", f"Ratios runtime / python (goals: req/s c={hi} >= 1.5x, p50 c={lo} < 1, peak RSS < 1):", "",
                  f"| baseline | req/s c={hi} | p50 c={lo} | p99 c={lo} | peak RSS | goals met |",
                  "|---|---|---|---|---|---|"]
        j = table["java"]
        for key in ("py2", "py1"):
            if key not in table:
                continue
            p = table[key]
            r_rps, r_p50 = ratio(j["rps_hi"], p["rps_hi"]), ratio(j["p50_lo"], p["p50_lo"])
            r_p99, r_rss = ratio(j["p99_lo"], p["p99_lo"]), ratio(j["peak_rss"], p["peak_rss"])
            goals = [r_rps is not None and r_rps >= 1.5, r_p50 is not None and r_p50 < 1,
                     r_rss is not None and r_rss < 1]
            met = ", ".join(f"{n} {'yes' if g else 'NO'}" for n, g in zip(("req/s", "p50", "RSS"), goals))
            name = next(s.name for s in servers if s.key == key)
            lines.append(f"| {name} | {fmt(r_rps, 2)}x | {fmt(r_p50, 2)}x | {fmt(r_p99, 2)}x | "
                         f"{fmt(r_rss, 2)}x | {met} |")
    lines += ["", "All points (medians over rounds):", "",
              "| server | clients | req/s | p50 (ms) | p99 (ms) | requests | errors | others' CPU (cores) |",
              "|---|---|---|---|---|---|---|---|"]
    for c in cfg["concurrency"]:
        for s in servers:
            m = summarize(s, c)
            if m:
                lines.append(f"| {s.name} | {c} | {fmt(m['rps'])} | {fmt(m['p50'], 2)} | {fmt(m['p99'], 2)} | "
                             f"{m['requests']:,} | {m['errors']} | {m['foreign_cpu']:.2f} |")
    notes = []
    for s in servers:
        if s.error:
            notes.append(f"{s.name}: {s.error}" + ("; its log ends:\n\n  ```\n" + "\n".join(
                "  " + line for line in s.log_tail.splitlines()) + "\n  ```" if s.log_tail else ""))
        for pr in s.problems:
            notes.append(f"{s.name} answer: {pr}")
    busy = [p for s in servers for p in s.points if p.get("busy")]
    if busy:
        notes.append(f"{len(busy)} point(s) stayed busy after {cfg['busy_retries']} retries (others' CPU above "
                     f"{cfg['max_foreign_cpu']} cores, or another build ran): " + busy[0]["busy"])
    if meta.get("not_quiet"):
        notes.append("the machine was not quiet at the start: " + meta["not_quiet"])
    split = meta.get("split")
    if split:
        lines += ["", "Runtime, per image over the whole run (its own /metrics): "
                  f"decode + pre-process {split['preprocess_ms']:.2f} ms, engine {split['engine_ms']:.2f} ms per item "
                  f"(batches of {split['items_per_batch']:.2f} on average), post-process (decode boxes, NMS) "
                  f"{split['postprocess_ms']:.3f} ms = {split['postprocess_share']:.2%} of the engine's time"]
    if notes:
        lines += ["", "Notes:", ""] + [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n", table


def git_rev():
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        return head + (" (+ uncommitted changes)" if dirty else "")
    except OSError:
        return "unknown"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown cpu"


def main(argv):
    write = "--write" in argv
    if any(a not in ("--write",) for a in argv):
        print(__doc__)
        return 2
    cfg = dict(servers=[s.strip() for s in os.environ.get("BENCH_SERVERS", "java,py2,py1").split(",") if s.strip()],
               duration=env_int("BENCH_DURATION", 15), warmup=env_int("BENCH_WARMUP", 10),
               point_warmup=env_int("BENCH_POINT_WARMUP", 2), rounds=env_int("BENCH_ROUNDS", 1),
               concurrency=[int(c) for c in os.environ.get("BENCH_CONCURRENCY", "1,32").split(",")],
               start_load=float(os.environ.get("BENCH_START_LOAD", "0.5")),
               quiet_wait=env_int("BENCH_QUIET_WAIT", 600), busy_retries=env_int("BENCH_BUSY_RETRIES", 1),
               max_foreign_cpu=float(os.environ.get("BENCH_MAX_FOREIGN_CPU", "0.3")))
    photo = os.path.join(MODEL_DIR, "bus.jpg")
    for path in (MODEL, photo, os.path.join(MODEL_DIR, "expected.json")):
        if not os.path.isfile(path):
            log(f"ERROR: {path} is missing (DET_MODEL_PATH names the model; bus.jpg and expected.json lie beside it)")
            return 2
    if any(k.startswith("py") for k in cfg["servers"]) and not os.path.isfile(os.path.join(VENV, "bin", "gunicorn")):
        log(f"ERROR: no gunicorn in {VENV}; run benchmarks/detection/setup_venv.sh (bench_detection.sh does)")
        return 2
    with open(os.path.join(MODEL_DIR, "expected.json")) as f:
        expected_sha = json.load(f).get("files_sha256", {}).get(os.path.basename(MODEL))
    with open(MODEL, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    meta = dict(date=datetime.date.today().isoformat(), git=git_rev(), cpu=cpu_model(), kernel=platform.release(),
                model=os.path.relpath(MODEL, ROOT), model_sha256=sha,
                model_sha_ok="matches expected.json" if sha == expected_sha else "DIFFERS from expected.json",
                photo_bytes=os.path.getsize(photo), loadavg_start=machine.loadavg_line(),
                foreign_builds=machine.foreign_builds([]))
    log(f"waiting (up to {cfg['quiet_wait']} s) for a 1-minute load below {cfg['start_load']} and no build running")
    meta["not_quiet"] = machine.wait_until_quiet(cfg["start_load"], cfg["quiet_wait"], [], log)
    if meta["not_quiet"]:
        log(f"WARNING: the machine is not quiet ({meta['not_quiet']}); measuring anyway, --write will refuse")

    servers = make_servers(cfg["servers"])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    hi = max(cfg["concurrency"])
    try:
        for s in servers:
            log(f"starting {s.name}: {s.cmdline}")
            if not s.start():
                log(f"ERROR: {s.name} not ready: {s.error}" + (f"; its last lines:\n{s.log_tail}" if s.log_tail else ""))
                s.stop()
                continue
            log(f"{s.name} ready in {s.ready_s:.1f} s; checking its answer for bus.jpg")
            s.problems, _ = checker.check(s.predict_url, MODEL_DIR)
            if s.problems:
                log(f"WARNING: {s.name} answers bus.jpg unlike expected.json: " + "; ".join(s.problems)[:500])
            time.sleep(1.0)
            s.idle_rss_mb = round(s.sampler.rss_now_mb(), 1)
            log(f"{s.name}: idle RSS {s.idle_rss_mb} MiB; warming up {cfg['warmup']} s at {hi} clients")
            try:
                loadgen.wrk(s.predict_url, [photo], "image/jpeg", hi, 0, cfg["warmup"])
                wait_drained(s)
            except loadgen.LoadError as e:
                s.error = f"warm-up failed: {e}"
                log(f"ERROR: {s.name}: {s.error}")
                s.stop()
        live = [s for s in servers if not s.error]
        n = 0
        for rnd in range(cfg["rounds"]):
            for c in cfg["concurrency"]:
                order = live[n % len(live):] + live[:n % len(live)] if live else []
                n += 1
                for s in order:
                    if s.proc.poll() is not None:
                        s.error = s.error or f"died (status {s.proc.returncode}); see {s.log_path}"
                        continue
                    others = [o for o in live if o is not s and o.proc.poll() is None]
                    for attempt in range(cfg["busy_retries"] + 1):
                        try:
                            p = measure(s, others, photo, c, cfg["point_warmup"], cfg["duration"])
                        except loadgen.LoadError as e:
                            p = dict(concurrency=c, error=str(e))
                            log(f"ERROR: {s.name} c={c}: {e}")
                            break
                        p["busy"] = busy_reason(p, cfg["max_foreign_cpu"])
                        if not p["busy"] or attempt == cfg["busy_retries"]:
                            break
                        log(f"{s.name} c={c}: busy ({p['busy']}); waiting for a quiet machine, then again")
                        wait_others_quiet(cfg["max_foreign_cpu"], 120)
                    p["round"] = rnd
                    s.points.append(p)
                    if "error" not in p:
                        log(f"{s.name} c={c}: {p['rps']:.1f} req/s, p50 {p['latency_ms']['p50']:.2f} ms, "
                            f"p99 {p['latency_ms']['p99']:.2f} ms, errors {p['errors']}, peak RSS so far "
                            f"{p['peak_rss_mb_so_far']} MiB, others' CPU {p['foreign_cpu_cores']:.2f}")
        java = next((s for s in servers if s.key == "java" and not s.error), None)
        if java is not None:
            meta["split"] = runtime_split(java.port)
    finally:
        for s in servers:
            s.stop()

    text, table = report(servers, cfg, meta)
    print(text)
    failed = [s for s in servers if s.error or s.problems]
    busy = [p for s in servers for p in s.points if p.get("busy")]
    if write and (busy or meta["not_quiet"]) and os.environ.get("BENCH_ALLOW_BUSY") != "1":
        log("not writing a result file: the machine was not quiet (see the notes; BENCH_ALLOW_BUSY=1 writes anyway)")
        return 3
    if write:
        if failed:
            log("not writing a result file: " + "; ".join(f"{s.name}: {(s.error or 'answer mismatch').splitlines()[0]}"
                                                          for s in failed))
            return 1
        os.makedirs(os.path.join(BENCH, "results"), exist_ok=True)
        base = os.path.join(BENCH, "results", f"{meta['date']}-detection")
        with open(base + ".md", "w") as f:
            f.write(text)
        with open(base + ".json", "w") as f:
            json.dump(dict(meta=meta, config=cfg, summary=table,
                           servers=[dict(key=s.key, name=s.name, cmd=s.cmdline, ready_s=s.ready_s,
                                         idle_rss_mb=s.idle_rss_mb,
                                         peak_rss_mb=round(s.sampler.peak_kb / 1024, 1) if s.sampler else None,
                                         error=s.error, answer_problems=s.problems, points=s.points)
                                    for s in servers]), f, indent=1)
        log(f"wrote {base}.md and {base}.json")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
