"""Renders the results JSON written by bench.py as Markdown: the issue's table with its goals first, then
every point. Re-render a results file: python3 report.py results/<stem>.json (writes <stem>.md beside it)."""
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


def ok_points(model, key="points"):
    return [p for p in model.get(key, []) if "error" not in p]


def point(model, server, route, c, key="points"):
    for p in ok_points(model, key):
        if p.get("server") == server and p.get("route") == route and p.get("concurrency") == c:
            return p
    return None


def rps(p):
    return p.get("rps") if p else None


def lat(p, key, corrected=False):
    if not p:
        return None
    return (p.get("latency_corrected_ms" if corrected else "latency_ms") or {}).get(key)


def headline(model, server):
    """Median and spread of the repeated interleaved runs at the headline concurrency (sweep point included)."""
    runs = [p["rps"] for p in ok_points(model, "headline") if p.get("server") == server]
    sweep = point(model, server, "predict", 32)
    if sweep:
        runs.append(sweep["rps"])
    if not runs:
        return None
    return dict(median=statistics.median(runs), min=min(runs), max=max(runs), n=len(runs))


def best_ceiling(model):
    """The best batch over both ceiling configurations (one caller with the engine's default threads, and
    one caller per core with one thread each)."""
    rows = []
    for key in ("ceiling", "ceiling_per_core"):
        c = model.get(key) or {}
        rows += [dict(r, config=f"{c.get('threads')} caller(s) x {c.get('intra_op_threads') or 'default'} threads")
                 for r in c.get("batches") or []]
    return max(rows, key=lambda r: r["inferences_per_s"]) if rows else None


def server_fact(model, name):
    for s in model.get("servers", []):
        if s["name"] == name:
            return s
    return None


def model_by_id(results, mid):
    for m in results["models"]:
        if m.get("id") == mid and not m.get("skipped"):
            return m
    return None


def predict_peak(model, name):
    s = server_fact(model, name)
    if not s:
        return None
    phases = s.get("peak_rss_by_phase_mb") or {}
    return phases.get("predict") or s.get("peak_rss_mb")


def cold(model, name):
    c = (model.get("cold_starts") or {}).get(name)
    if c:
        return c["median"]
    s = server_fact(model, "runtime-batching" if name == "runtime" else name)
    return s and s.get("cold_start_s")


def p99_worst(model):
    """Runtime p99 / best legacy p99 at each concurrency measured for both: the worst ratio and where."""
    worst = None
    for p in ok_points(model):
        if p["server"] != "runtime-batching" or p["route"] != "predict":
            continue
        ls = [lat(point(model, s, "predict", p["concurrency"]), "p99") for s in ("legacy-w1", "legacy-w2")]
        ls = [x for x in ls if x]
        if ls and lat(p, "p99") is not None:
            r = lat(p, "p99") / min(ls)
            if worst is None or r > worst[0]:
                worst = (r, p["concurrency"], lat(p, "p99"), min(ls))
    return worst


# ---------------------------------------------------------------------------------------------------
# The issue's table


def issue_rows(results):
    """(what, runtime, legacy -w2, ratio, goal, met) per row of the issue's table."""
    rows = []
    t = model_by_id(results, "tiny_onnx")
    if t:
        rt, lg = headline(t, "runtime-batching"), headline(t, "legacy-w2")
        r = ratio(rt and rt["median"], lg and lg["median"])
        rows.append(("tiny CNN ONNX req/s, 32 clients", fmt(rt and rt["median"]), fmt(lg and lg["median"]),
                     fmt(r, 2) + "x", ">= 4x", r is not None and r >= 4))
        p1, l1 = lat(point(t, "runtime-batching", "predict", 1), "p99"), lat(point(t, "legacy-w2", "predict", 1), "p99")
        w = p99_worst(t)
        rows.append(("tiny CNN ONNX p99 at 1 client (ms)", fmt(p1, 2), fmt(l1, 2), fmt(ratio(p1, l1), 2),
                     "below legacy at every concurrency" + (f" (worst: c={w[1]} {w[2]:.2f} vs {w[3]:.2f})" if w else ""),
                     w is not None and w[0] < 1))
        c_rt, c_lg = cold(t, "runtime"), cold(t, "legacy-w2")
        rows.append(("tiny CNN ONNX cold start (s, median)", fmt(c_rt, 2), fmt(c_lg, 2), fmt(ratio(c_rt, c_lg), 2),
                     "<= 0.8 s", c_rt is not None and c_rt <= 0.8))
        m_rt, m_lg = predict_peak(t, "runtime-batching"), predict_peak(t, "legacy-w2")
        rows.append(("tiny CNN ONNX peak RSS (MiB, /predict)", fmt(m_rt, 0), fmt(m_lg, 0), fmt(ratio(m_rt, m_lg), 2),
                     "<= legacy -w 2", m_rt is not None and m_lg is not None and m_rt <= m_lg))
    mb = model_by_id(results, "mobilenetv2_onnx")
    if mb:
        rt, lg, best = headline(mb, "runtime-batching"), headline(mb, "legacy-w2"), best_ceiling(mb)
        r = ratio(rt and rt["median"], lg and lg["median"])
        rc = ratio(rt and rt["median"], best and best["inferences_per_s"])
        rows.append(("MobileNetV2-224 ONNX req/s, 32 clients", fmt(rt and rt["median"]), fmt(lg and lg["median"]),
                     fmt(r, 2) + "x" + (f" ({fmt(rc, 2)} of ceiling {fmt(best['inferences_per_s'])})" if best else ""),
                     ">= 0.9 of the in-process ceiling, >= 1.2x legacy",
                     rc is not None and rc >= 0.9 and r is not None and r >= 1.2))
        p1, l1 = lat(point(mb, "runtime-batching", "predict", 1), "p50"), lat(point(mb, "legacy-w2", "predict", 1), "p50")
        rows.append(("MobileNetV2-224 ONNX p50 at 1 client (ms)", fmt(p1, 2), fmt(l1, 2), fmt(ratio(p1, l1), 2),
                     "<= legacy", p1 is not None and l1 is not None and p1 <= l1))
        m_rt, m_lg = predict_peak(mb, "runtime-batching"), predict_peak(mb, "legacy-w2")
        rows.append(("MobileNetV2-224 ONNX peak RSS (MiB, /predict)", fmt(m_rt, 0), fmt(m_lg, 0),
                     fmt(ratio(m_rt, m_lg), 2), "<= legacy -w 2", m_rt is not None and m_lg is not None and m_rt <= m_lg))
    ts = model_by_id(results, "tiny_torchscript")
    if ts:
        rt, lg = headline(ts, "runtime-batching"), headline(ts, "legacy-w2")
        p1, l1 = lat(point(ts, "runtime-batching", "predict", 1), "p99"), lat(point(ts, "legacy-w2", "predict", 1), "p99")
        w = p99_worst(ts)
        rows.append(("TorchScript tiny CNN req/s / p99 at 1 client (ms)",
                     f"{fmt(rt and rt['median'])} / {fmt(p1, 2)}", f"{fmt(lg and lg['median'])} / {fmt(l1, 2)}",
                     f"{fmt(ratio(rt and rt['median'], lg and lg['median']), 2)}x / {fmt(ratio(p1, l1), 2)}",
                     "p99 below legacy at every concurrency" + (f" (worst: c={w[1]})" if w else ""),
                     w is not None and w[0] < 1))
    k = model_by_id(results, "keras_h5_cnn")
    if k:
        rt, lg = headline(k, "runtime-batching"), headline(k, "legacy-w2")
        r = ratio(rt and rt["median"], lg and lg["median"])
        rows.append(("Keras H5 CNN req/s, 32 clients (legacy: predict())", fmt(rt and rt["median"]),
                     fmt(lg and lg["median"]), fmt(r, 1) + "x", ">= 50x", r is not None and r >= 50))
    return rows


def render_issue_table(results, w):
    rows = issue_rows(results)
    if not rows:
        return
    w("## The issue's table (wrk, POST /predict PNG, this run)\n")
    w("req/s at 32 clients are the median of the interleaved repeats; latencies are wrk's (closed loop); "
      "cold start is the median of repeated starts (process start to the first 200); peak RSS is the "
      "process tree's during the /predict points (the same workload as legacy's).\n")
    w("| | runtime | legacy -w 2 | ratio | goal | met |\n|---|---|---|---|---|---|")
    for what, rt, lg, r, goal, met in rows:
        w(f"| {what} | {rt} | {lg} | {r} | {goal} | {'yes' if met else 'no'} |")
    w("")
    ceil = []
    for mid in ("tiny_onnx", "mobilenetv2_onnx", "tiny_torchscript", "mobilenetv2_torchscript", "keras_h5_cnn"):
        m = model_by_id(results, mid)
        b = m and best_ceiling(m)
        if b:
            ceil.append(f"{mid} {b['inferences_per_s']:,.0f}/s (batch {b['batch']}, {b['config']})")
    if ceil:
        w("In-process ceiling (engine alone, best configuration): " + "; ".join(ceil) + ".\n")


# ---------------------------------------------------------------------------------------------------


def render(results):
    out = []
    w = out.append
    m = results["machine"]
    w(f"# Benchmark results: {results['started']} on {m['host']} ({results['mode']} run)\n")
    w("Produced by `benchmarks/run.sh" + (" --quick" if results["mode"] == "quick" else "") + "`; the JSON beside "
      "this file holds every number. Every server is driven by wrk (HTTP/1.1, `benchmarks/wrk/post.lua`) or "
      "h2load (HTTP/2, gRPC), closed loop, one connection per client; throughput counts 2xx answers only; "
      "latencies in ms as the tool measures them.\n")
    w("## Machine\n")
    w("| fact | value |\n|---|---|")
    for k in ("cpu", "cores", "memory_gb", "kernel", "jdk", "gpu", "wrk", "h2load", "legacy_python", "git",
              "loadavg_start", "loadavg_end"):
        w(f"| {k} | {m.get(k)} |")
    if m.get("dirty"):
        w("| working tree | uncommitted changes under server/, model-loaders/ or pom.xml |")
    w(f"| runtime engine jars | {', '.join(m.get('runtime_engine_jars') or []) or '–'} |")
    w(f"| legacy packages | {', '.join(f'{k} {v}' for k, v in sorted((m.get('legacy_packages') or {}).items()))} |")
    cfg = results["config"]
    w(f"\nRun: warm-up {cfg['warmup']} s, measured {cfg['duration']} s per point; /predict at {cfg['concurrency']} "
      f"clients, other routes at {cfg['route_concurrency']}; headline repeats {cfg['repeats']} at "
      f"{cfg['headline_c']} clients; every server settled {cfg['settle']} s at {cfg['headline_c']} clients first. "
      f"Quiet-machine rule: no point may run while processes outside the benchmark use more than "
      f"{cfg['max_foreign_cpu']} cores or the load average less the benchmark's own exceeds the core count "
      "(a busy point is retried; a run with a busy point writes no result file). `load` is the 1-minute load "
      "average after the point (the benchmark's own load included), `others` the cores used by everything else.\n")
    render_issue_table(results, w)
    render_tools(results, w)
    render_jmh(results, w)
    for model in results["models"]:
        render_model(model, cfg, w)
    return "\n".join(out) + "\n"


def render_tools(results, w):
    tc = results.get("tool_ceiling") or {}
    if tc:
        w("## Load tools against a no-op stub (their own ceiling here)\n")
        w("| tool | clients | req/s | p50 | p99 |\n|---|---|---|---|---|")
        for tool, p in tc.items():
            w(f"| {tool} | {p.get('concurrency')} | {fmt(p.get('rps'))} | {fmt(lat(p, 'p50'), 3)} | {fmt(lat(p, 'p99'), 3)} |")
        w("")
    dc = results.get("driver_check")
    if dc:
        w("## Does the project's LoadDriver agree with wrk? (tiny ONNX /predict, wrk-driver-driver-wrk back to back)\n")
        if dc.get("error"):
            w(f"Check failed: {dc['error']}\n")
        w("| server | clients | wrk req/s | driver req/s | driver / wrk |\n|---|---|---|---|---|")
        for name, by_c in dc.get("servers", {}).items():
            for c, v in by_c.items():
                w(f"| {name} | {c} | {fmt(v['wrk_rps'])} | {fmt(v['driver_rps'])} | {fmt(v['ratio'], 3)} |")
        verdict = ("agrees within 10% everywhere: its coordinated-omission-corrected latencies are reported below"
                   if dc.get("agrees") else "does NOT agree within 10%: its numbers are not used in this report")
        w(f"\nThe driver {verdict}.\n")


def render_jmh(results, w):
    j = results.get("jmh")
    if not j:
        return
    w("## JMH: hot paths (`-prof gc`)\n")
    if j.get("error"):
        w(f"JMH failed: `{j['error'][-300:]}`\n")
        return
    w("| benchmark | params | score | unit | allocated B/op |\n|---|---|---|---|---|")
    for r in j["rows"]:
        params = ", ".join(f"{k}={v}" for k, v in r["params"].items())
        w(f"| {r['benchmark']} | {params} | {r['score']:,.2f} ± {fmt(r['error'], 2)} | {r['unit']} | "
          f"{fmt(r['alloc_bytes_per_op'], 0)} |")
    w("")


def render_ceiling(model, w):
    rows = [(key, model.get(key) or {}) for key in ("ceiling", "ceiling_per_core")]
    c = rows[0][1]
    if c.get("error"):
        w(f"Ceiling: failed: `{c['error']}`\n")
        return
    if not c.get("batches"):
        return
    w(f"### Ceiling (engine in process, {c.get('engine')} on {c.get('device')})\n")
    w("| callers x intra-op threads | batch | inferences/s | batch p50 ms | batch p99 ms |\n|---|---|---|---|---|")
    for _, cc in rows:
        for r in cc.get("batches") or []:
            w(f"| {cc.get('threads')} x {cc.get('intra_op_threads') or 'default'} | {r['batch']} | "
              f"{r['inferences_per_s']:,.1f} | {r['batch_p50_ms']:.2f} | {r['batch_p99_ms']:.2f} |")
    w("")
    ort = model.get("ceiling_ort") or []
    if ort:
        w("#### ONNX Runtime versions (same model, same run)\n")
        w("| artifact | version | callers x threads | batch 1 inf/s | batch 8 inf/s | batch 32 inf/s |\n"
          "|---|---|---|---|---|---|")
        for r in ort:
            if r.get("error"):
                w(f"| ? | ? | ? | failed: {r['error'][:80]} | | |")
                continue
            b = {x["batch"]: x["inferences_per_s"] for x in r.get("batches", [])}
            w(f"| {r['ort']['artifact']} | {r['ort']['version']} | {r['threads']} x {r['intra_op_threads'] or 'default'} "
              f"| {fmt(b.get(1))} | {fmt(b.get(8))} | {fmt(b.get(32))} |")
        w("")


def render_model(model, cfg, w):
    w(f"## {model['id']} ({model['regime']})\n")
    if model.get("skipped"):
        w(f"Skipped: {model['skipped']}.\n")
        return
    w(f"Model: `{model['path']}`\n")
    render_ceiling(model, w)
    w("### Servers\n")
    w("| server | cold start s (first start) | idle RSS MiB | peak RSS MiB /predict | peak RSS MiB all routes | note |")
    w("|---|---|---|---|---|---|")
    for s in model.get("servers", []):
        phases = s.get("peak_rss_by_phase_mb") or {}
        w(f"| {s['name']} | {fmt(s['cold_start_s'], 2)} | {fmt((s.get('idle') or {}).get('rss_mb'), 0)} | "
          f"{fmt(phases.get('predict'), 0)} | {fmt(s.get('peak_rss_mb'), 0)} | {s['error'] or ''} |")
    w("")
    cs = model.get("cold_starts")
    if cs:
        w("Repeated cold starts (s): " + "; ".join(f"{k} median {v['median']:.2f}, min {v['min']:.2f} "
                                                   f"({', '.join(f'{x:.2f}' for x in v['runs'])})"
                                                   for k, v in cs.items()) + "\n")
    if model.get("settle"):
        w(f"Settle ({cfg['settle']} s at {cfg['headline_c']} clients, from a cold JIT, not in the ratios): " +
          "; ".join(f"{p['server']} {fmt(p.get('rps'))} req/s" for p in model["settle"]) + "\n")
    render_points(model, w)
    render_headline(model, w)
    render_routes(model, w)
    render_ratios(model, cfg, w)
    render_threads(model, w)
    render_memory(model, w)


def render_points(model, w):
    pts = model.get("points") or []
    if not pts:
        return
    w("### Load\n")
    w("| server | route | tool | clients | req/s | p50 | p90 | p99 | max | errors | server CPU ms/req | load | others |")
    w("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for p in sorted(pts, key=lambda p: (p.get("route") != "predict", p.get("route", ""), p.get("server", ""),
                                        p.get("concurrency", 0))):
        if "error" in p:
            w(f"| {p.get('server')} | {p.get('route')} | {p.get('tool')} | {p['concurrency']} | failed: "
              f"{p['error'][:60]} | | | | | | | | |")
            continue
        lm = p["latency_ms"]
        w(f"| {p['server']} | {p['route']} | {p['tool']} | {p['concurrency']} | {p['rps']:,.1f} | {fmt(lm['p50'], 2)} | "
          f"{fmt(lm['p90'], 2)} | {fmt(lm['p99'], 2)} | {fmt(lm['max'], 1)} | {p['errors']} | "
          f"{fmt(p.get('server_cpu_ms_per_req'), 2)} | {p['loadavg_after']:.1f} | {p['foreign_cpu_cores']:.2f} |")
    w("")
    dp = ok_points(model, "driver_points")
    if dp:
        w("Coordinated-omission-corrected latencies (LoadDriver, /predict; see the driver check above):\n")
        w("| server | clients | req/s | p50 | p99 | p99.9 | max | raw p99 |\n|---|---|---|---|---|---|---|---|")
        for p in dp:
            w(f"| {p['server']} | {p['concurrency']} | {p['rps']:,.1f} | {fmt(lat(p, 'p50', True), 2)} | "
              f"{fmt(lat(p, 'p99', True), 2)} | {fmt(lat(p, 'p999', True), 2)} | {fmt(lat(p, 'max', True), 1)} | "
              f"{fmt(lat(p, 'p99'), 2)} |")
        w("")


def render_headline(model, w):
    names = sorted({p["server"] for p in ok_points(model, "headline")})
    if not names:
        return
    w("### Repeated interleaved runs at 32 clients (req/s, /predict)\n")
    w("| server | median | min | max | runs |\n|---|---|---|---|---|")
    for s in names:
        h = headline(model, s)
        w(f"| {s} | {h['median']:,.1f} | {h['min']:,.1f} | {h['max']:,.1f} | {h['n']} |")
    w("")


def render_routes(model, w):
    routes = model.get("routes") or {}
    if not routes:
        return
    w("### Routes beyond /predict (runtime with batching; the image as a float tensor vs. as encoded bytes)\n")
    cs = sorted({p["concurrency"] for p in ok_points(model) if p["route"] != "predict"})
    head = "| route | what | " + " | ".join(f"c={c} req/s | c={c} p50 | c={c} p99" for c in cs) + " |"
    w(head)
    w("|" + "---|" * (2 + 3 * len(cs)))
    base = {c: point(model, "runtime-batching", "predict", c) for c in cs}
    w("| predict | POST /predict, PNG body (HTTP/1.1) | " + " | ".join(
        f"{fmt(rps(base[c]))} | {fmt(lat(base[c], 'p50'), 2)} | {fmt(lat(base[c], 'p99'), 2)}" for c in cs) + " |")
    for name, r in routes.items():
        if not r["available"]:
            w(f"| {name} | {r['what']} | not served by this build: {r['why'][:80]} |" + " |" * (3 * len(cs) - 1))
            continue
        ps = {c: point(model, "runtime-batching", name, c) for c in cs}
        w(f"| {name} | {r['what']} | " + " | ".join(
            f"{fmt(rps(ps[c]))} | {fmt(lat(ps[c], 'p50'), 2)} | {fmt(lat(ps[c], 'p99'), 2)}" for c in cs) + " |")
    w("")


def render_ratios(model, cfg, w):
    if not any(p.get("kind") == "runtime" for p in ok_points(model)):
        return
    best = best_ceiling(model)
    w("### Ratios (runtime with batching, POST /predict)\n")
    w("| clients | runtime req/s | / ceiling best | / legacy -w1 | / legacy -w2 | p50 / legacy -w2 | p99 / legacy -w1 "
      "| p99 / legacy -w2 | batching on / off |")
    w("|---|---|---|---|---|---|---|---|---|")
    for c in cfg["concurrency"]:
        rt = point(model, "runtime-batching", "predict", c)
        l1 = point(model, "legacy-w1", "predict", c)
        l2 = point(model, "legacy-w2", "predict", c)
        off = point(model, "runtime-nobatch", "predict", c)
        w(f"| {c} | {fmt(rps(rt))} | {fmt(ratio(rps(rt), best and best['inferences_per_s']), 2)} | "
          f"{fmt(ratio(rps(rt), rps(l1)), 2)} | {fmt(ratio(rps(rt), rps(l2)), 2)} | "
          f"{fmt(ratio(lat(rt, 'p50'), lat(l2, 'p50')), 2)} | {fmt(ratio(lat(rt, 'p99'), lat(l1, 'p99')), 2)} | "
          f"{fmt(ratio(lat(rt, 'p99'), lat(l2, 'p99')), 2)} | {fmt(ratio(rps(rt), rps(off)), 2)} |")
    w("")


def render_threads(model, w):
    pts = [p for p in ok_points(model) if p["server"] == "runtime-batching" and p["route"] == "predict"
           and p.get("thread_cpu_pct") and p["concurrency"] in (1, 32)]
    if not pts:
        return
    w("### Where the runtime's CPU goes (% of one core per thread kind, /predict)\n")
    kinds = sorted({k for p in pts for k in p["thread_cpu_pct"]}, key=lambda k: -max(p["thread_cpu_pct"].get(k, 0)
                                                                                   for p in pts))
    w("| thread | " + " | ".join(f"c={p['concurrency']}" for p in pts) + " |")
    w("|---|" + "---|" * len(pts))
    for k in kinds[:14]:
        w(f"| {k} | " + " | ".join(fmt(p["thread_cpu_pct"].get(k)) for p in pts) + " |")
    w("")


def render_memory(model, w):
    mem = model.get("memory")
    if not mem:
        return
    w("### Runtime memory breakdown (a separate start with -XX:NativeMemoryTracking=summary)\n")
    if mem.get("error"):
        w(f"failed: {mem['error']}\n")
        return
    snaps = [("idle", mem.get("idle") or {}), ("after 32 clients", mem.get("after_load") or {})]
    cats = []
    for _, s in snaps:
        for k in (s.get("nmt_committed_mb") or {}):
            if k not in cats and k != "Total":
                cats.append(k)
    w("| MiB | " + " | ".join(n for n, _ in snaps) + " |\n|---|" + "---|" * len(snaps))
    w("| RSS | " + " | ".join(fmt(s.get("rss_mb")) for _, s in snaps) + " |")
    for key, label in (("Anonymous", "RSS anonymous"), ("Pss_File", "RSS file-backed (PSS: jars, native libraries)")):
        w(f"| {label} | " + " | ".join(fmt((s.get("smaps") or {}).get(key)) for _, s in snaps) + " |")
    w("| NMT committed, total | " + " | ".join(fmt((s.get("nmt_committed_mb") or {}).get("Total")) for _, s in snaps) + " |")
    for k in cats:
        vals = [(s.get("nmt_committed_mb") or {}).get(k) for _, s in snaps]
        if any(v and v >= 0.5 for v in vals):
            label = "Other (direct buffers)" if k == "Other" else k
            w(f"| NMT {label} | " + " | ".join(fmt(v) for v in vals) + " |")
    w("| RSS - NMT committed (engine allocations, malloc, library pages) | " +
      " | ".join(fmt(s.get("rss_minus_nmt_mb")) for _, s in snaps) + " |")
    w("| threads | " + " | ".join(str(sum((s.get("threads") or {}).values())) for _, s in snaps) + " |")
    w("")
    th = (mem.get("after_load") or {}).get("threads") or {}
    if th:
        w("Threads after load: " + ", ".join(f"{k} {v}" for k, v in th.items()) + ".\n")


if __name__ == "__main__":
    import json
    import sys

    with open(sys.argv[1]) as f:
        data = json.load(f)
    with open(sys.argv[1][:-len(".json")] + ".md", "w") as f:
        f.write(render(data))
