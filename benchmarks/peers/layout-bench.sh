#!/usr/bin/env bash
# The runtime's execution layouts against the FastAPI + onnxruntime peer, one interleaved run with wrk:
# each round starts every server in turn, checks its top-1 on the image, warms it, then measures 1 and
# 32 clients; the table reports the median of the rounds and the ratio to the peer.
#   benchmarks/peers/layout-bench.sh MODEL.onnx IMAGE [ROUNDS] [SECONDS] > result.md
# Needs wrk, the runtime built (server/bin/model-server) and a Python with fastapi, uvicorn (with httptools
# and uvloop, as uvicorn[standard] installs), onnxruntime, pillow, numpy, flask, gunicorn (PYTHON, default
# python3; for the ray server also ray with Ray Serve's imports: grpcio, aiohttp, starlette, prometheus_client).
# SERVERS picks some of: runtime runtime-1x2 runtime-2x1 fastapi ray legacy djl (default: runtime runtime-1x2
# fastapi legacy); djl is DJL Serving built from its source release by djl-serving/build.sh.
# Nothing else should run on the machine meanwhile.
set -euo pipefail
model=$(readlink -f "$1") image=$(readlink -f "$2") rounds=${3:-3} seconds=${4:-10}
here=$(cd "$(dirname "$0")" && pwd) repo=$(cd "$here/../.." && pwd)
python=${PYTHON:-python3}
port=18100
lua="$repo/benchmarks/wrk/predict-image.lua"
declare -A cmd=(
  [runtime]="$repo/server/bin/model-server --model $model --port $port --grpc-port 18101"
  [runtime-1x2]="env INSTANCES=1 INTRA_OP_THREADS=2 $repo/server/bin/model-server --model $model --port $port --grpc-port 18101"
  [runtime-2x1]="env INSTANCES=2 INTRA_OP_THREADS=1 $repo/server/bin/model-server --model $model --port $port --grpc-port 18101"
  [fastapi]="env MODEL=$model $python -m uvicorn --app-dir $here --workers 2 --port $port --log-level warning fastapi_onnx:app"
  [ray]="env MODEL=$model $python $here/ray_serve_onnx.py $port"
  [legacy]="env MODEL_PATH=$model $python -m gunicorn -w 2 -b 127.0.0.1:$port --chdir $repo/benchmarks/legacy --log-level warning flask_service:app"
  [djl]="env PYTHON=$python $here/djl-serving/run.sh $model $port"
)
# where each server answers an image (the others: the legacy /predict)
declare -A route=([djl]="/predictions/model")
read -r -a servers <<<"${SERVERS:-runtime runtime-1x2 fastapi legacy}"
results=$(mktemp)
pid=""
trap '[[ -z "$pid" ]] || kill -- -"$pid" 2>/dev/null; rm -f "$results"' EXIT
case "$image" in *.jpg|*.jpeg) ctype=image/jpeg ;; *) ctype=image/png ;; esac
export BENCH_CONTENT_TYPE=$ctype
for ((r = 1; r <= rounds; r++)); do
  for s in "${servers[@]}"; do
    url="http://127.0.0.1:$port${route[$s]:-/predict?top_k=1}"
    started=$(date +%s%N)
    setsid ${cmd[$s]} >/tmp/layout-bench-$s.log 2>&1 &
    pid=$!
    # cold start: from launch to the first answered /predict (polling a process we do not control)
    ready=false
    for _ in $(seq 1 2400); do
      [[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Content-Type: $ctype" --data-binary @"$image" "$url")" == 200 ]] \
        && { ready=true; break; }
      sleep 0.05
    done
    [[ "$ready" == true ]] || { tail -n 5 "/tmp/layout-bench-$s.log" >&2; echo "$s never answered" >&2; exit 1; }
    echo "$s cold - RESULT cold=$(( ($(date +%s%N) - started) / 1000000 ))" | tee -a "$results" >&2
    top=$(curl -s -H "Content-Type: $ctype" --data-binary @"$image" "$url" | "$python" -c '
import json, sys
j = json.load(sys.stdin)
if isinstance(j, list):  # DJL Serving: [{"className": index (its synset), "probability": score}]
    print(j[0]["className"])
elif "top_k" in j:
    t = j["top_k"][0] if isinstance(j["top_k"][0], list) else j["top_k"]
    print(t[0]["index"])
else:  # the legacy service answers scores only
    p = j["predictions"][0]
    print(max(range(len(p)), key=p.__getitem__))')
    BENCH_IMAGE="$image" wrk -t2 -c8 -d3s -s "$lua" "$url" >/dev/null
    for c in 1 32; do
      line=$(BENCH_IMAGE="$image" wrk -t$((c < 2 ? 1 : 2)) -c$c -d${seconds}s --latency -s "$lua" "$url" | grep '^RESULT')
      echo "$s $c $top $line" | tee -a "$results" >&2
    done
    rss=$(ps -o rss= -p $(pgrep -g "$pid" | tr '\n' ',' | sed 's/,$//') | awk '{s += $1} END {printf "%.0f", s / 1024}')
    echo "$s rss $top RESULT rss=${rss}" | tee -a "$results" >&2
    kill -TERM -- -"$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
    # Ray's own daemons (GCS, raylet, agents) outlive its driver's process group signal
    [[ "$s" != ray ]] || "$(dirname "$python")/ray" stop --force >/dev/null 2>&1 || true
    pid=""
  done
done
"$python" - "$results" "$model" "$image" "$rounds" "$seconds" <<'PY'
import re, statistics, sys
rows = {}
tops = {}
for line in open(sys.argv[1]):
    s, c, top, rest = line.split(" ", 3)
    if c not in ("cold", "rss"):
        tops.setdefault(s, set()).add(top)
    vals = dict(re.findall(r"(\w+)=([\d.]+)", rest))
    rows.setdefault((s, c), []).append(vals)
def med(s, c, k):
    return statistics.median(float(v[k]) for v in rows[(s, c)])
print(f"model {sys.argv[2].split('/')[-2]}, image {sys.argv[3].split('/')[-1]}, {sys.argv[4]} interleaved rounds of "
      f"{sys.argv[5]} s per row, medians; top-1 index per server: " + ", ".join(f"{s} {sorted(t)}" for s, t in tops.items()))
print()
servers = list(dict.fromkeys(s for s, _ in rows))
peers = [s for s in servers if not s.startswith("runtime")] or servers  # layouts alone: ratios to the best of them
best1 = max(med(p, "1", "rps") for p in peers)
best32 = max(med(p, "32", "rps") for p in peers)
bestp99 = min(med(p, "1", "p99") for p in peers)
bestrss = min(med(p, "rss", "rss") for p in peers)
bestcold = min(med(p, "cold", "cold") for p in peers)
print("| server | 1 client req/s | p50 ms | p99 ms | 32 clients req/s | p50 ms | p99 ms | RSS after, MiB | cold start ms "
      "| to the best peer: req/s at 1 / at 32 / p99 at 1 / RSS / cold start |")
print("|---|---|---|---|---|---|---|---|---|---|")
for s in servers:
    one, many = med(s, "1", "rps"), med(s, "32", "rps")
    print(f"| {s} | {one:.1f} | {med(s, '1', 'p50'):.1f} | {med(s, '1', 'p99'):.1f} | {many:.1f} | {med(s, '32', 'p50'):.1f} | "
          f"{med(s, '32', 'p99'):.1f} | {med(s, 'rss', 'rss'):.0f} | {med(s, 'cold', 'cold'):.0f} | {one / best1:.2f}x / "
          f"{many / best32:.2f}x / {med(s, '1', 'p99') / bestp99:.2f}x / {med(s, 'rss', 'rss') / bestrss:.2f}x / "
          f"{med(s, 'cold', 'cold') / bestcold:.2f}x |")
PY
