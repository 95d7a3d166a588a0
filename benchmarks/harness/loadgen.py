"""Load generators: wrk (HTTP/1.1) and h2load (HTTP/2 cleartext and gRPC) from Debian, and the project's
LoadDriver (kept for its coordinated-omission-corrected histograms only). Each returns a point dict:

  tool, concurrency, duration_s, requests, ok (2xx), errors, rps (2xx per second),
  latency_ms {mean, p50, p90, p99, p999, max}   (as the tool measures it: closed loop, not corrected)

plus latency_corrected_ms for the driver. Scripts and flags are fixed here, so every server is driven the
same way.
"""
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
WRK_SCRIPT = os.path.join(BENCH, "wrk", "post.lua")


class LoadError(Exception):
    pass


def wrk_threads(concurrency):
    # One wrk thread keeps up with ~50k req/s here (its ceiling is measured against the stub every run), and
    # a second one would take CPU from the server on a 2-core box.
    return max(1, min(concurrency, int(os.environ.get("BENCH_WRK_THREADS", "1"))))


def wrk(url, bodies, content_type, concurrency, warmup, duration, headers=None):
    """Closed loop: `concurrency` connections, each sends its next request when the answer arrived. A warm-up
    run of `warmup` seconds is thrown away first (wrk has no warm-up of its own)."""
    if not shutil.which("wrk"):
        raise LoadError("wrk is not installed (apt-get install wrk)")
    env = dict(os.environ, BENCH_BODIES=":".join(bodies), BENCH_CONTENT_TYPE=content_type,
               BENCH_HEADERS="|".join(headers or []))
    base = ["wrk", f"-t{wrk_threads(concurrency)}", f"-c{concurrency}", "--timeout", "30s", "-s", WRK_SCRIPT]
    if warmup > 0:
        subprocess.run(base + [f"-d{max(1, round(warmup))}s", url], env=env, capture_output=True, text=True,
                       timeout=warmup + 120)
    p = subprocess.run(base + [f"-d{max(1, round(duration))}s", url], env=env, capture_output=True, text=True,
                       timeout=duration + 120)
    m = re.search(r"^WRK_JSON (\{.*\})$", p.stdout, re.M)
    if p.returncode != 0 or not m:
        raise LoadError(f"wrk failed ({p.returncode}): {(p.stderr or p.stdout)[-400:]}")
    r = json.loads(m.group(1))
    e = r["errors"]
    io_errors = e["connect"] + e["read"] + e["write"] + e["timeout"]
    # wrk counts a response with status > 399 in errors.status; everything else it parsed is an answer.
    ok = max(0, r["requests"] - e["status"])
    return dict(tool="wrk", concurrency=concurrency, duration_s=r["duration_s"], requests=r["requests"], ok=ok,
                errors=e["status"] + io_errors, error_kinds=e, rps=ok / r["duration_s"] if r["duration_s"] else 0,
                latency_ms=r["latency_ms"], threads=wrk_threads(concurrency))


def h2load(url, body, content_type, concurrency, warmup, duration, headers=None):
    """HTTP/2 over cleartext with prior knowledge (h2load's default for http://), one stream per connection
    at a time (-m 1), so it is the same closed loop as wrk. gRPC is this with a gRPC-framed body and
    `content-type: application/grpc` + `te: trailers` (h2load cannot read grpc-status from the trailers:
    the harness checks one call with curl before measuring). Percentiles come from h2load's per-request log."""
    if not shutil.which("h2load"):
        raise LoadError("h2load is not installed (apt-get install nghttp2-client)")
    with tempfile.NamedTemporaryFile(prefix="h2load-", suffix=".log", delete=False) as f:
        log_path = f.name
    argv = ["h2load", "-c", str(concurrency), "-m", "1", "-t", "1", "-D", str(max(1, round(duration))),
            "--warm-up-time", str(max(0, round(warmup))), "-d", body, "--log-file", log_path,
            "-H", f"content-type: {content_type}"]
    for h in headers or []:
        argv += ["-H", h]
    try:
        p = subprocess.run(argv + [url], capture_output=True, text=True, timeout=warmup + duration + 120)
        if p.returncode != 0:
            raise LoadError(f"h2load failed ({p.returncode}): {(p.stderr or p.stdout)[-400:]}")
        return parse_h2load(p.stdout, log_path, concurrency)
    finally:
        os.unlink(log_path)


def parse_h2load(stdout, log_path, concurrency):
    m = re.search(r"finished in ([\d.]+)(ms|s), ([\d.]+) req/s", stdout)
    req = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, "
                    r"(\d+) errored, (\d+) timeout", stdout)
    codes = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", stdout)
    if not (m and req and codes):
        raise LoadError("cannot read h2load's output: " + stdout[-400:])
    seconds = float(m.group(1)) / (1000 if m.group(2) == "ms" else 1)
    done, ok = int(req.group(3)), int(codes.group(1))
    lat = []
    with open(log_path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[1].isdigit():
                lat.append(int(parts[2]) / 1000.0)
    return dict(tool="h2load", concurrency=concurrency, duration_s=seconds, requests=done, ok=ok,
                errors=done - ok + int(req.group(6)) + int(req.group(7)), rps=ok / seconds if seconds else 0,
                latency_ms=percentiles(lat))


def percentiles(values):
    if not values:
        return dict(mean=None, p50=None, p90=None, p99=None, p999=None, max=None)
    v = sorted(values)

    def at(q):
        return v[min(len(v) - 1, int(q * len(v)))]

    return dict(mean=statistics.fmean(v), p50=at(0.50), p90=at(0.90), p99=at(0.99), p999=at(0.999), max=v[-1])


def driver(java, classpath, out_dir, url, bodies, content_type, concurrency, warmup, duration, label):
    """The project's LoadDriver: the same closed loop, plus latencies corrected for coordinated omission."""
    out = os.path.join(out_dir, "driver-out.json")
    if os.path.exists(out):
        os.remove(out)
    argv = [java, "-XX:+UseSerialGC", "-Xss256k", "-cp", classpath,
            "com.modelfactory.runtime.bench.load.LoadDriver", "--url", url, "--content-type", content_type,
            "-c", str(concurrency), "--loops", os.environ.get("BENCH_DRIVER_LOOPS", "1"),
            "--warmup", str(warmup), "--duration", str(duration), "--label", label, "--out", out]
    for b in bodies:
        argv += ["--body", b]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=warmup + duration + 120)
    if p.returncode != 0 or not os.path.exists(out):
        raise LoadError("driver failed: " + p.stderr[-600:])
    with open(out) as f:
        r = json.load(f)
    ok = r["requests"] - r["errors"]
    return dict(tool="driver", concurrency=concurrency, duration_s=r["measured_s"], requests=r["requests"], ok=ok,
                errors=r["errors"], rps=r["goodput_rps"], latency_ms=r["latency_raw_ms"],
                latency_corrected_ms=r["latency_ms"], connects=r["connects"], status=r["status"],
                expected_interval_ms=r["expected_interval_ms"])
