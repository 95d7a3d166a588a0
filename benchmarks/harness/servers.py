"""The servers under test: the runtime as deployed (server/bin/model-server) and the legacy Flask service
under gunicorn, each started, timed to its first prediction, sampled for memory and stopped."""
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import machine

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
ROOT = os.path.dirname(BENCH)
WORK = os.environ.get("BENCH_WORK", os.path.join(BENCH, "work"))
VENV = os.path.join(WORK, "venv")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url, body, content_type, timeout=10, headers=None):
    """@return (status, body bytes) or (None, None) when nothing answered"""
    h = {"Content-Type": content_type}
    h.update(headers or {})
    req = urllib.request.Request(url, data=body, method="POST", headers=h)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except (urllib.error.URLError, ConnectionError, socket.timeout, OSError):
        return None, None


def get_json(url, timeout=10):
    import json
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return json.loads(r.read())
    except (urllib.error.URLError, ValueError, OSError):
        return None


class Server:
    """One server process: started, timed to its first prediction, sampled, stopped."""

    def __init__(self, name, kind, argv, env, port, probe_body, content_type="image/png", cwd=None, extra=None):
        self.name = name
        self.kind = kind
        self.argv = argv
        self.env = env
        self.port = port
        self.probe_body = probe_body
        self.content_type = content_type
        self.cwd = cwd
        self.extra = extra or {}
        self.proc = None
        self.sampler = None
        self.cold_start_s = None
        self.error = None
        self.idle = {}
        self.log_path = os.path.join(WORK, "logs", f"{name}.log")

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def start(self, timeout=180):
        os.makedirs(os.path.dirname(self.log_path), exist_ok=True)
        logf = open(self.log_path, "w")
        t0 = time.monotonic()
        self.proc = subprocess.Popen(self.argv, env=self.env, stdout=logf, stderr=subprocess.STDOUT,
                                     cwd=self.cwd, start_new_session=True)
        self.sampler = machine.MemorySampler(self.proc.pid)
        self.sampler.start()
        while time.monotonic() - t0 < timeout:
            if self.proc.poll() is not None:
                self.error = f"exited with {self.proc.returncode} before answering; see {self.log_path}"
                return False
            status, _ = post(self.base + "/predict", self.probe_body, self.content_type, timeout=30)
            if status == 200:
                self.cold_start_s = time.monotonic() - t0
                return True
            time.sleep(0.01)
        self.error = f"no successful prediction within {timeout} s; see {self.log_path}"
        return False

    def record_idle(self):
        """Memory a second after the first prediction, before any load."""
        time.sleep(1.0)
        self.sampler.sample()
        self.idle = dict(rss_mb=round(self.sampler.last_rss_kb / 1024, 1),
                         threads=machine.threads_of(self.pid) if self.kind == "runtime" else None)

    def phase(self, name):
        if self.sampler:
            self.sampler.phase = name

    def cpu_jiffies(self):
        return sum(machine.proc_cpu_jiffies(p) for p in machine.tree_pids(self.pid)) if self.pid else 0

    def stop(self):
        if self.sampler:
            self.sampler.sample()
            self.sampler.stop()
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def facts(self):
        s = self.sampler
        return dict(name=self.name, kind=self.kind, cold_start_s=self.cold_start_s, error=self.error,
                    peak_rss_mb=round(s.peak_rss_kb / 1024, 1) if s else None,
                    peak_hwm_mb=round(s.peak_hwm_kb / 1024, 1) if s else None,
                    peak_rss_by_phase_mb={k: round(v / 1024, 1) for k, v in (s.phase_peaks if s else {}).items()},
                    idle=self.idle, argv=" ".join(self.argv[-6:]), **self.extra)


def torchscript_input_name(path):
    """The first argument name of the model's forward(), as torch itself reports it (legacy venv)."""
    code = "import sys, torch; print(torch.jit.load(sys.argv[1]).forward.schema.arguments[1].name)"
    p = subprocess.run([os.path.join(VENV, "bin", "python"), "-c", code, path], capture_output=True, text=True)
    return p.stdout.strip() or "input"


def runtime_server(name, model, probe, batching=True, java_opts=None, root=ROOT, extra_env=None):
    """The runtime as deployed: its launcher (JVM flags, AppCDS archive) from the checkout at `root`."""
    port = free_port()
    env = dict(os.environ, PORT=str(port), HOST="127.0.0.1", MODEL_PATH=model["path"], MODEL_NAME=model["id"],
               GRPC_PORT=str(free_port()), OPT_OUT_TRACKING="true", ORT_DISABLE_TELEMETRY="1",
               TF_CPP_MIN_LOG_LEVEL="2")
    env.pop("JAVA_OPTS", None)
    if not batching:
        env["MAX_BATCH_SIZE"] = "1"
    if model.get("item_shape") and model["format"] == "torchscript":
        # TorchScript files do not say their input shape; the runtime is told as a deployment would be.
        env["MODEL_INPUTS"] = "{}:FP32:-1x{}".format(torchscript_input_name(model["path"]),
                                                     "x".join(str(d) for d in model["item_shape"]))
    opts = os.environ.get("RUNTIME_JAVA_OPTS", "") if java_opts is None else java_opts
    if opts.strip():
        env["JAVA_OPTS"] = opts.strip()  # replaces the launcher's defaults, as in a deployment
    env.update(extra_env or {})
    env["MODEL_RUNTIME_JAR"] = os.path.join(root, "server", "target", "model-server.jar")
    launcher = os.path.join(root, "server", "bin", "model-server")
    return Server(name, "runtime", [launcher], env, port, probe,
                  extra=dict(grpc_port=int(env["GRPC_PORT"]), root=root, java_opts=env.get("JAVA_OPTS")))


def legacy_server(name, model, workers, probe, keras_call="predict"):
    port = free_port()
    env = dict(os.environ, MODEL_PATH=model["path"], KERAS_CALL=keras_call, TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONDONTWRITEBYTECODE="1")
    if model.get("item_shape"):
        env["INPUT_SHAPE"] = ",".join(str(d) for d in model["item_shape"])
    legacy = os.path.join(BENCH, "legacy")
    argv = [os.path.join(VENV, "bin", "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
            "--chdir", legacy, "--log-level", "warning", "flask_service:app"]
    return Server(name, "legacy", argv, env, port, probe)
