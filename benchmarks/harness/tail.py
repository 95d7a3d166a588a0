#!/usr/bin/env python3
"""Where the tail at one client comes from: wrk's latencies beside the server's own (its Prometheus
histograms: the whole request on the server, decode, queue wait, inference) and the JVM's pauses (GC and
other safepoints, from -Xlog) in the same window, for several runtime configurations and the legacy
service, interleaved.

    python3 benchmarks/harness/tail.py [--model m.onnx] [--image x.png] [-c 1] [-d 20] [--rounds 2]
        NAME='ENV=.. ENV2=..' ... [--legacy]

A configuration may name another checkout's build with ROOT=/path (before/after of a code change).
A p99 well above the server's own p99 is spent outside the request path (the kernel, the scheduler, the
load tool); a p99 the server sees too, with pauses in the window, is the JVM's.
"""
import argparse
import os
import re
import shlex
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import loadgen  # noqa: E402
import machine  # noqa: E402
import servers  # noqa: E402

FIXTURES = os.path.join(servers.ROOT, "model-loaders", "src", "test", "fixtures")
HISTOGRAMS = {"server": ("http_server_requests_seconds", 'route="/predict",status="200"'),
              "decode": ("model_preprocess_seconds", ""), "queue": ("model_queue_wait_seconds", ""),
              "infer": ("model_inference_seconds", "")}


def buckets(base, name, label):
    """Cumulative bucket counts {le: count} of one histogram."""
    with urllib.request.urlopen(base + "/metrics", timeout=10) as r:
        text = r.read().decode()
    out = {}
    for m in re.finditer(rf'^{name}_bucket\{{([^}}]*)\}} (\S+)$', text, re.M):
        labels = m.group(1)
        if label and label not in labels:
            continue
        le = re.search(r'le="([^"]+)"', labels).group(1)
        le = float("inf") if le == "+Inf" else float(le)
        out[le] = out.get(le, 0) + float(m.group(2))
    return out


def quantile(before, after, q):
    delta = sorted((le, after.get(le, 0) - before.get(le, 0)) for le in after)
    total = delta[-1][1] if delta else 0
    for le, n in delta:
        if total and n >= q * total:
            return le * 1000
    return None


def pauses(gc_log, t0, t1):
    """Pauses (ms) logged between JVM uptimes t0 and t1 (s): GC pauses and safepoint operations."""
    gc, sp = [], []
    try:
        with open(gc_log) as f:
            for line in f:
                m = re.match(r"\[(\d+\.\d+)s\]", line)
                if not m or not t0 <= float(m.group(1)) <= t1:
                    continue
                g = re.search(r"Pause .* (\d+\.\d+)ms$", line)
                if g:
                    gc.append(float(g.group(1)))
                s = re.search(r"Safepoint \"(\w+)\".*Total: (\d+) ns", line)
                if s and s.group(1) not in ("GenCollectForAllocation", "SerialCollectForAllocation"):
                    sp.append((s.group(1), int(s.group(2)) / 1e6))
    except OSError:
        pass
    return gc, sp


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=os.path.join(FIXTURES, "onnx", "tiny_cnn", "model.onnx"))
    ap.add_argument("--image", action="append")
    ap.add_argument("-c", type=int, default=1)
    ap.add_argument("-d", type=float, default=20)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--legacy", action="store_true", help="also legacy gunicorn -w 2 (wrk only)")
    ap.add_argument("--item-shape", default="3,32,32")
    ap.add_argument("configs", nargs="*", default=["default="])
    args = ap.parse_args()
    images = args.image or [os.path.join(FIXTURES, "images", "cat32.png")]
    with open(images[0], "rb") as f:
        probe = f.read()
    model = dict(id="tail", path=args.model, format="onnx", item_shape=[int(x) for x in args.item_shape.split(",")])
    live = []
    for c in args.configs:
        name, _, env = c.partition("=")
        extra = dict(kv.split("=", 1) for kv in shlex.split(env))
        gc_log = os.path.join(servers.WORK, "logs", f"tail-{name}-gc.log")
        extra["MODEL_RUNTIME_JVM_EXTRA"] = (extra.get("MODEL_RUNTIME_JVM_EXTRA", "") +
                                            f" -Xlog:gc,safepoint:file={gc_log}:uptime").strip()
        root = extra.pop("ROOT", servers.ROOT)  # ROOT=/other/checkout: that build's launcher and jar
        s = servers.runtime_server("tail-" + name, model, probe, extra_env=extra, root=root)
        s.gc_log = gc_log
        live.append(s)
    if args.legacy:
        s = servers.legacy_server("tail-legacy-w2", model, 2, probe)
        s.gc_log = None
        live.append(s)
    try:
        for s in live:
            if not s.start():
                sys.exit(f"{s.name}: {s.error}")
            s.t_start = time.monotonic() - s.cold_start_s
            loadgen.wrk(s.base + "/predict", images, "image/png", 32, 0, 10)  # settle the JIT
        foreign = []
        for rnd in range(args.rounds):
            for s in live:
                with machine.CpuAccount([]) as acct:
                    before = {k: buckets(s.base, *v) for k, v in HISTOGRAMS.items()} if s.gc_log else None
                    t0 = time.monotonic() - s.t_start
                    p = loadgen.wrk(s.base + "/predict", images, "image/png", args.c, 2, args.d)
                    t1 = time.monotonic() - s.t_start
                    after = {k: buckets(s.base, *v) for k, v in HISTOGRAMS.items()} if s.gc_log else None
                    load = acct.finish()
                foreign.append(load["foreign_cpu_cores"])
                lm = p["latency_ms"]
                line = (f"{s.name:22s} r{rnd} wrk {p['rps']:8.1f}/s p50 {lm['p50']:6.2f} p99 {lm['p99']:6.2f} "
                        f"p99.9 {lm['p999']:6.2f} max {lm['max']:6.1f}")
                if s.gc_log:
                    q = {k: (quantile(before[k], after[k], 0.5), quantile(before[k], after[k], 0.99)) for k in before}
                    gc, sp = pauses(s.gc_log, t0 + args.d * 0, t1)
                    line += " | server " + " ".join(f"{k} {v[0] or 0:.2f}/{v[1] or 0:.2f}" for k, v in q.items())
                    line += (f" | {len(gc)} GC pauses, max {max(gc, default=0):.1f} ms, total {sum(gc):.0f} ms;"
                             f" other safepoints {len(sp)}, max {max((x[1] for x in sp), default=0):.2f} ms")
                s.sampler.sample()
                line += f" | RSS {s.sampler.last_rss_kb / 1024:.0f} MiB (peak {s.sampler.peak_rss_kb / 1024:.0f})"
                print(line, flush=True)
        print(f"others used up to {max(foreign):.2f} cores" + ("  BUSY: does not count" if max(foreign) > 0.3 else ""))
    finally:
        for s in live:
            s.stop()


if __name__ == "__main__":
    main()
