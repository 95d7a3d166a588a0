"""Renders the results JSON written by bench.py as Markdown: tables, ratios and the issue's goals."""
import statistics


def fmt(v, digits=1):
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:,.{digits}f}"
    return str(v)


def ratio(a, b):
    if a is None or b in (None, 0):
        return None
    return a / b


def point(model, server, route, c):
    for p in model.get("points", []):
        if p.get("server") == server and p.get("route") == route and p.get("concurrency") == c and "error" not in p:
            return p
    return None


def rps(p):
    return p["goodput_rps"] if p else None


def lat(p, key, raw=False):
    if not p:
        return None
    return p["latency_raw_ms" if raw else "latency_ms"][key]


def headline(model, server):
    """Median and spread of the repeated interleaved runs of one server (plus the sweep's point)."""
    runs = [p["goodput_rps"] for p in model.get("headline", []) if p.get("server") == server and "error" not in p]
    if not runs:
        return None
    return dict(median=statistics.median(runs), min=min(runs), max=max(runs), n=len(runs))


def best_ceiling(model):
    """The best batch over both ceiling configurations (one caller with the engine's default threads, and
    one caller per core with one thread each, as the runtime runs on CPU)."""
    rows = []
    for key in ("ceiling", "ceiling_per_core"):
        c = model.get(key) or {}
        rows += [dict(r, config=f"{c.get('threads')} caller(s) x {c.get('intra_op_threads') or 'default'} threads")
                 for r in c.get("batches") or []]
    if not rows:
        return None
    return max(rows, key=lambda r: r["inferences_per_s"])


def server_fact(model, name):
    for s in model.get("servers", []):
        if s["name"] == name:
            return s
    return None


def render(results):
    out = []
    w = out.append
    m = results["machine"]
    w(f"# Benchmark results: {results['started']} on {m['host']} ({results['mode']} run)\n")
    w("Produced by `benchmarks/run.sh" + (" --quick" if results["mode"] == "quick" else "") + "`; the JSON beside "
      "this file holds every number. Latencies are in ms and corrected for coordinated omission "
      "(closed loop, expected interval = each client's mean warm-up latency); throughput counts 2xx answers only.\n")
    w("## Machine\n")
    w("| fact | value |\n|---|---|")
    for k in ("cpu", "cores", "memory_gb", "kernel", "jdk", "legacy_python", "git", "loadavg_start", "loadavg_end"):
        w(f"| {k} | {m.get(k)} |")
    w(f"| runtime engine jars | {', '.join(m.get('runtime_engine_jars') or []) or '–'} |")
    w(f"| legacy packages | {', '.join(f'{k} {v}' for k, v in sorted((m.get('legacy_packages') or {}).items()))} |")
    load = [float(m[k].split()[0]) for k in ("loadavg_start", "loadavg_end") if m.get(k)]
    if load and max(load) > (m.get("cores") or 1):
        w(f"\n**Warning: the machine was oversubscribed** (1-minute load average {', '.join(map(str, load))} "
          f"at start/end on {m.get('cores')} cores; other work shared the CPU). Every server got a fraction of "
          "a core at unpredictable moments: absolute numbers are far below what this hardware does alone, "
          "and single runs vary by several times (see the spread of the repeated runs). Compare servers only "
          "within the same run, and prefer the repeated, interleaved points.")
    cfg = results["config"]
    w(f"\nRun: warm-up {cfg['warmup']} s, measured {cfg['duration']} s per point; concurrency {cfg['concurrency']}; "
      f"headline repeats {cfg['repeats']} at {cfg['headline_c']} clients. The box is shared with other "
      "work: the 1-minute load average is recorded before each point (`load` column).\n")
    if cfg.get("runtime_variant_opts"):
        w(f"`runtime-tuned` is the runtime with batching and the JVM flags `{cfg['runtime_variant_opts']}`, "
          "interleaved with the default `runtime-batching` (before/after).\n")
    d = results.get("driver_ceiling")
    if d and "error" not in d:
        w(f"Load driver ceiling (against a loopback stub that does no work, {d['concurrency']} clients): "
          f"**{d['goodput_rps']:,.0f} req/s**, p50 {d['latency_ms']['p50']:.2f} ms. Numbers near this are "
          "limited by the driver and the shared CPU, not by the server."
          + (f" wrk against the same stub: {results['wrk_vs_stub_rps']:,.0f} req/s."
             if results.get("wrk_vs_stub_rps") else "") + "\n")

    j = results.get("jmh")
    if j:
        w("## JMH: hot paths (`-prof gc`)\n")
        if j.get("error"):
            w(f"JMH failed: `{j['error'][-300:]}`\n")
        else:
            w("| benchmark | params | score | unit | allocated B/op |\n|---|---|---|---|---|")
            for r in j["rows"]:
                params = ", ".join(f"{k}={v}" for k, v in r["params"].items())
                w(f"| {r['benchmark']} | {params} | {r['score']:,.2f} ± {fmt(r['error'], 2)} | {r['unit']} | "
                  f"{fmt(r['alloc_bytes_per_op'], 0)} |")
            w("")

    goals = []
    for model in results["models"]:
        w(f"## {model['id']} ({model['regime']})\n")
        if model.get("skipped"):
            w(f"Skipped: {model['skipped']}.\n")
            c = model.get("ceiling") or {}
            if not c.get("batches"):
                continue
        w(f"Model: `{model['path']}`\n")
        c = model.get("ceiling") or {}
        if c.get("error"):
            w(f"Ceiling: failed: `{c['error']}`\n")
        elif c.get("batches"):
            w(f"### Ceiling (engine in process, {c.get('engine')} on {c.get('device')})\n")
            w("| callers x intra-op threads | batch | inferences/s | batch p50 ms | batch p99 ms |\n|---|---|---|---|---|")
            for key in ("ceiling", "ceiling_per_core"):
                cc = model.get(key) or {}
                for r in cc.get("batches") or []:
                    w(f"| {cc.get('threads')} x {cc.get('intra_op_threads') or 'default'} | {r['batch']} | "
                      f"{r['inferences_per_s']:,.1f} | {r['batch_p50_ms']:.2f} | {r['batch_p99_ms']:.2f} |")
            w("")
        if model.get("runtime_missing"):
            w(f"Runtime not measured: {model['runtime_missing']}.\n")
        w("### Servers\n")
        w("| server | cold start s (start → first 200) | peak RSS MB (tree, sampled) | sum VmHWM MB | note |")
        w("|---|---|---|---|---|")
        for s in model.get("servers", []):
            w(f"| {s['name']} | {fmt(s['cold_start_s'], 2)} | {fmt(s['peak_rss_mb'])} | {fmt(s['peak_hwm_mb'])} | "
              f"{s['error'] or ''} |")
        w("")
        if model.get("settle"):
            w(f"### Settle (each server at {cfg['headline_c']} clients before any point is recorded; from a cold "
              f"JIT, not in the ratios)\n")
            w("| server | seconds | req/s | p50 | p99 |\n|---|---|---|---|---|")
            for p in model["settle"]:
                if "error" not in p:
                    w(f"| {p['server']} | {cfg.get('settle')} | {p['goodput_rps']:,.1f} | {p['latency_ms']['p50']:.2f} | "
                      f"{p['latency_ms']['p99']:.2f} |")
            w("")
        if model.get("points"):
            w("### Load\n")
            w("| server | route | clients | req/s | p50 | p90 | p99 | max | errors | load |")
            w("|---|---|---|---|---|---|---|---|---|---|")
            for p in sorted(model["points"], key=lambda p: (p.get("server", ""), p.get("route", ""),
                                                             p.get("concurrency", 0))):
                if "error" in p:
                    w(f"| {p.get('server')} | {p.get('route')} | {p['concurrency']} | driver failed | | | | | | |")
                    continue
                lm = p["latency_ms"]
                w(f"| {p['server']} | {p['route']} | {p['concurrency']} | {p['goodput_rps']:,.1f} | {lm['p50']:.2f} | "
                  f"{lm['p90']:.2f} | {lm['p99']:.2f} | {lm['max']:.1f} | {p['errors']} | {p['loadavg_before']:.1f} |")
            w("")
        hl = {s: headline(model, s) for s in ("runtime-batching", "runtime-tuned", "legacy-w1", "legacy-w2",
                                              "legacy-direct-w2")}
        if any(hl.values()):
            w(f"### Repeated interleaved runs at {cfg['headline_c']} clients (req/s)\n")
            w("| server | median | min | max | runs |\n|---|---|---|---|---|")
            for s, h in hl.items():
                if h:
                    w(f"| {s} | {h['median']:,.1f} | {h['min']:,.1f} | {h['max']:,.1f} | {h['n']} |")
            w("")
        ratios_section(model, cfg, w)
        goals += model_goals(model, cfg, hl)

    if goals:
        w("## Goals from the issue\n")
        w("| goal | measured | met |\n|---|---|---|")
        for g, measured, met in goals:
            w(f"| {g} | {measured} | {'yes' if met else ('no' if met is not None else '–')} |")
        w("")
    return "\n".join(out) + "\n"


def ratios_section(model, cfg, w):
    if not any(p.get("kind") == "runtime" for p in model.get("points", [])):
        return
    best = best_ceiling(model)
    w("### Ratios (runtime with batching, POST /predict)\n")
    w("| clients | runtime req/s | / ceiling best | / legacy -w1 | / legacy -w2 | p50 / legacy -w1 | p99 / legacy -w1 "
      "| p99 / legacy -w2 | batching on / off |")
    w("|---|---|---|---|---|---|---|---|---|")
    for c in cfg["concurrency"]:
        rt = point(model, "runtime-batching", "predict", c)
        l1 = point(model, "legacy-w1", "predict", c)
        l2 = point(model, "legacy-w2", "predict", c)
        off = point(model, "runtime-nobatch", "predict", c)
        w(f"| {c} | {fmt(rps(rt))} | {fmt(ratio(rps(rt), best and best['inferences_per_s']), 2)} | "
          f"{fmt(ratio(rps(rt), rps(l1)), 2)} | {fmt(ratio(rps(rt), rps(l2)), 2)} | "
          f"{fmt(ratio(lat(rt, 'p50'), lat(l1, 'p50')), 2)} | {fmt(ratio(lat(rt, 'p99'), lat(l1, 'p99')), 2)} | "
          f"{fmt(ratio(lat(rt, 'p99'), lat(l2, 'p99')), 2)} | {fmt(ratio(rps(rt), rps(off)), 2)} |")
    w("")


def model_goals(model, cfg, hl):
    g = []
    mid = model["id"]
    c32 = cfg["headline_c"]

    def tp(server):
        h = hl.get(server)
        return h["median"] if h else rps(point(model, server, "predict", c32))

    rt = tp("runtime-batching")
    if rt is None:
        return g
    servers = {s["name"]: s for s in model.get("servers", [])}
    if model["regime"] == "overhead-bound":
        l2 = tp("legacy-w2")
        g.append((f"{mid}: ≥ 4x legacy -w2 at {c32} clients", f"{fmt(ratio(rt, l2), 2)}x ({fmt(rt)} vs {fmt(l2)})",
                  None if l2 is None else rt >= 4 * l2))
        p1 = lat(point(model, "runtime-batching", "predict", 1), "p50")
        l1p = lat(point(model, "legacy-w1", "predict", 1), "p50")
        g.append((f"{mid}: p50 at 1 client ≤ half of legacy's", f"{fmt(p1, 2)} vs {fmt(l1p, 2)} ms",
                  None if p1 is None or l1p is None else p1 <= l1p / 2))
    elif model["regime"] == "compute-bound":
        best = best_ceiling(model)
        l2 = tp("legacy-w2")
        if best:
            g.append((f"{mid}: ≥ 0.9 of ceiling (best: batch {best['batch']}, {best['config']}) at {c32} clients",
                      f"{fmt(ratio(rt, best['inferences_per_s']), 2)}", rt >= 0.9 * best["inferences_per_s"]))
        g.append((f"{mid}: ≥ 1.5x legacy -w2 at {c32} clients", f"{fmt(ratio(rt, l2), 2)}x",
                  None if l2 is None else rt >= 1.5 * l2))
    elif model["regime"] == "keras":
        l1 = tp("legacy-w1")
        d2 = tp("legacy-direct-w2")
        g.append((f"{mid}: ≥ 50x legacy -w1 (model.predict)", f"{fmt(ratio(rt, l1), 1)}x",
                  None if l1 is None else rt >= 50 * l1))
        g.append((f"{mid}: ≥ 10x legacy -w2 calling model(x)", f"{fmt(ratio(rt, d2), 1)}x",
                  None if d2 is None else rt >= 10 * d2))
    # p99 below legacy at every concurrency (against the best legacy configuration at that point).
    worse = []
    for c in cfg["concurrency"]:
        r = lat(point(model, "runtime-batching", "predict", c), "p99")
        ls = [lat(point(model, s, "predict", c), "p99") for s in ("legacy-w1", "legacy-w2")]
        ls = [x for x in ls if x is not None]
        if r is not None and ls and r >= min(ls):
            worse.append(f"c={c}: {r:.2f} vs {min(ls):.2f}")
    if any(point(model, s, "predict", 1) for s in ("legacy-w1", "legacy-w2")):
        g.append((f"{mid}: p99 below legacy at every concurrency", "; ".join(worse) or "all below", not worse))
    rt_s = servers.get("runtime-batching")
    l1_s = servers.get("legacy-w1")
    if rt_s and l1_s and rt_s["cold_start_s"] and l1_s["cold_start_s"]:
        if model["format"] == "onnx":
            g.append((f"{mid}: cold start ≤ 1 s", f"{rt_s['cold_start_s']:.2f} s (legacy {l1_s['cold_start_s']:.2f} s)",
                      rt_s["cold_start_s"] <= 1.0))
        else:
            g.append((f"{mid}: cold start below legacy's", f"{rt_s['cold_start_s']:.2f} vs {l1_s['cold_start_s']:.2f} s",
                      rt_s["cold_start_s"] < l1_s["cold_start_s"]))
    if rt_s and l1_s and rt_s["peak_rss_mb"] and l1_s["peak_rss_mb"]:
        limit = 1.5 if model["format"] == "onnx" else 1.0
        g.append((f"{mid}: peak RSS ≤ {limit}x legacy -w1", f"{rt_s['peak_rss_mb']:.0f} vs {l1_s['peak_rss_mb']:.0f} MB",
                  rt_s["peak_rss_mb"] <= limit * l1_s["peak_rss_mb"] if limit > 1 else
                  rt_s["peak_rss_mb"] < l1_s["peak_rss_mb"]))
    return g


if __name__ == "__main__":
    # Re-render a results JSON: python3 report.py results/<stem>.json  (writes <stem>.md beside it)
    import json
    import sys

    with open(sys.argv[1]) as f:
        data = json.load(f)
    with open(sys.argv[1][:-len(".json")] + ".md", "w") as f:
        f.write(render(data))
