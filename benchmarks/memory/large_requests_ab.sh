#!/usr/bin/env bash
# Issue 24, point 3: what the memory settings for outsized requests cost ordinary traffic. Two runtimes on the
# tiny CNN, the same jar: "new" is server/bin/model-server as deployed (JVM flags for giving the heap back,
# MALLOC_MMAP_THRESHOLD_, TrimNativeHeapInterval); "old" is the same jar with the JVM flags and malloc settings
# of before (java -jar directly, MALLOC_ARENA_MAX=2 only). wrk POSTs the fixture PNG to /predict at 32 clients,
# ROUNDS interleaved rounds of ROUND_SECONDS each; prints each round and the medians, and the idle RSS of each after
# ten 1,953-item JSON requests (the requests are split into batches in both: the jar is the same).
#   benchmarks/memory/large_requests_ab.sh      (needs wrk, python3; builds nothing: mvn -o package first)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS="${ROUNDS:-3}"; SECONDS_PER_ROUND="${ROUND_SECONDS:-15}"
model=model-loaders/src/test/fixtures/onnx/tiny_cnn/model.onnx
jar=server/target/model-server.jar
old_opts="-XX:+UseSerialGC -Xms32m -Xmn16m -XX:SurvivorRatio=4 -XX:TieredStopAtLevel=1 -XX:MaxRAMPercentage=75.0 -XX:+ExitOnOutOfMemoryError"
start() { # name port
  if [[ $1 == new ]]; then
    server/bin/model-server --model "$model" --model-name model --port "$2" --grpc-port 0 >"/tmp/ab-$1.log" 2>&1 &
  else
    # shellcheck disable=SC2086
    MALLOC_ARENA_MAX=2 java $old_opts -jar "$jar" --model "$model" --model-name model --port "$2" --grpc-port 0 \
      >"/tmp/ab-$1.log" 2>&1 &
  fi
  for _ in $(seq 120); do curl -sf "localhost:$2/v2/health/ready" >/dev/null && return; sleep 0.5; done
  echo "$1 did not start" >&2; exit 1
}
pid_of() { pgrep -f -- "--port $1 " | while read -r p; do [[ $(readlink "/proc/$p/exe") == *java ]] && echo "$p"; done | head -1; }
start new 5071; start old 5072
trap 'kill $(pid_of 5071) $(pid_of 5072) 2>/dev/null || true' EXIT
for port in 5071 5072; do wrk -t2 -c32 -d5s -s benchmarks/wrk/predict-image.lua "http://127.0.0.1:$port/predict" >/dev/null; done
declare -A rps
for r in $(seq "$ROUNDS"); do
  for which in new:5071 old:5072; do
    name=${which%:*}; port=${which#*:}
    line=$(wrk -t2 -c32 -d"${SECONDS_PER_ROUND}s" -s benchmarks/wrk/predict-image.lua "http://127.0.0.1:$port/predict" | grep RESULT)
    echo "round $r $name $line"
    rps[$name]+="$(sed 's/.*rps=\([0-9.]*\).*/\1/' <<<"$line") "
  done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
new_rps=$(median <<<"${rps[new]}"); old_rps=$(median <<<"${rps[old]}")
echo "median req/s at 32 clients: new $new_rps, old $old_rps, ratio $(python3 -c "print(round($new_rps/$old_rps, 3))")"
python3 - "$(pid_of 5071)" "$(pid_of 5072)" <<'PY'
import json, sys, time, urllib.request
def rss(pid):
    return next(int(l.split()[1]) // 1024 for l in open(f"/proc/{pid}/status") if l.startswith("VmRSS"))
body = json.dumps({"inputs": [{"name": "input", "shape": [1953, 3, 32, 32], "datatype": "FP32",
                               "data": [0.5] * (1953 * 3072)}]}).encode()
pids = dict(zip(("new", "old"), map(int, sys.argv[1:])))
ports = {"new": 5071, "old": 5072}
before = {k: rss(p) for k, p in pids.items()}
for name, port in ports.items():
    for _ in range(10):
        r = urllib.request.Request(f"http://127.0.0.1:{port}/v2/models/model/infer", data=body,
                                   headers={"Content-Type": "application/json"})
        urllib.request.urlopen(r, timeout=300).read()
time.sleep(20)
for k, p in pids.items():
    print(f"{k}: idle RSS {before[k]} MiB after the wrk rounds, {rss(p)} MiB 20 s after ten 1,953-item JSON requests")
PY
