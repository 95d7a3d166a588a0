#!/usr/bin/env python3
"""Cold start of several runtime configurations, interleaved: process start to the first 200 on /predict.

    python3 benchmarks/harness/coldstart.py [-n 7] [--model path.onnx] NAME='ENV=.. ENV2=..' ...

Each NAME is started with server/bin/model-server and the given environment (e.g. JAVA_HOME=... to run on
another JDK, JAVA_OPTS=... to replace the launcher's JVM flags, MODEL_RUNTIME_CDS_ARCHIVE=/none to start
without the archive). Prints the median, min and every run per configuration, and refuses to report when the
machine was busy (others used more than 0.3 cores during the starts).
"""
import argparse
import os
import shlex
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import machine  # noqa: E402
import servers  # noqa: E402

ROOT = servers.ROOT
FIXTURES = os.path.join(ROOT, "model-loaders", "src", "test", "fixtures")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=7)
    ap.add_argument("--model", default=os.path.join(FIXTURES, "onnx", "tiny_cnn", "model.onnx"))
    ap.add_argument("--image", default=os.path.join(FIXTURES, "images", "cat32.png"))
    ap.add_argument("configs", nargs="+", help="NAME='VAR=value VAR2=value'")
    args = ap.parse_args()
    with open(args.image, "rb") as f:
        probe = f.read()
    model = dict(id="cold", path=args.model, format="onnx")
    configs = []
    for c in args.configs:
        name, _, env = c.partition("=")
        configs.append((name, dict(kv.split("=", 1) for kv in shlex.split(env))))
    runs = {name: [] for name, _ in configs}
    with machine.CpuAccount([]) as acct:
        for _ in range(args.n):
            for name, env in configs:
                s = servers.runtime_server("cold-" + name, model, probe, extra_env=env)
                ok = s.start()
                s.stop()
                runs[name].append(round(s.cold_start_s, 3) if ok else None)
        load = acct.finish()
    busy = load["foreign_cpu_cores"] > 0.3
    for name, r in runs.items():
        good = [x for x in r if x is not None]
        print(f"{name:28s} median {statistics.median(good):.3f} s  min {min(good):.3f}  runs {r}" if good
              else f"{name:28s} failed")
    print(f"others used {load['foreign_cpu_cores']:.2f} cores, load {load['loadavg_after']:.2f}"
          + ("  BUSY: these numbers do not count" if busy else ""))
    sys.exit(3 if busy else 0)


if __name__ == "__main__":
    main()
