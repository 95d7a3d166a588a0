#!/bin/bash
# Throughput of the runtime on the bundled tiny CNN at 1, 8 and 32 concurrent clients, batching off and on.
# Needs wrk (apt-get install -y wrk) and a built jar (mvn -B -DskipTests package). Run from the repo root:
#   benchmarks/wrk/batching-bench.sh            # off (max_batch_size 1) then on (defaults), 10 s per level
# Besides requests/s it prints the process CPU time per request and the mean executed batch size, read from
# /metrics: on a shared machine CPU per request is the steadier number.
set -euo pipefail
DUR=${DUR:-10}
PORT=${PORT:-5078}
JAR=${JAR:-server/target/model-server.jar}
LUA=$(dirname "$0")/predict-image.lua
metric() { curl -s "127.0.0.1:$PORT/metrics" | awk -v k="$1" '$1 ~ "^"k {s+=$2} END {printf "%.6f", s}'; }
run() {
  local label=$1; shift
  java -jar "$JAR" --host 127.0.0.1 --port "$PORT" --grpc-port 0 "$@" > "/tmp/batching-bench-$label.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 240); do curl -sf "127.0.0.1:$PORT/health/ready" > /dev/null && break; sleep 0.5; done
  wrk -t1 -c8 -d3s -s "$LUA" "http://127.0.0.1:$PORT/predict" > /dev/null # JIT warm-up
  for c in 1 8 32; do
    local cpu0 n0 b0 cpu1 n1 b1 r
    cpu0=$(metric process_cpu_seconds_total); n0=$(metric model_batch_size_sum); b0=$(metric model_batch_size_count)
    r=$(wrk -t1 -c"$c" -d"${DUR}s" -s "$LUA" "http://127.0.0.1:$PORT/predict" | grep RESULT)
    cpu1=$(metric process_cpu_seconds_total); n1=$(metric model_batch_size_sum); b1=$(metric model_batch_size_count)
    echo "$label clients=$c $r $(awk -v c0="$cpu0" -v c1="$cpu1" -v n0="$n0" -v n1="$n1" -v b0="$b0" -v b1="$b1" \
      'BEGIN {n=n1-n0; b=b1-b0; if (n<1) n=1; if (b<1) b=1; printf "cpu_ms/req=%.2f mean_batch=%.2f", (c1-c0)*1000/n, n/b}')"
  done
  kill "$pid"; wait "$pid" 2> /dev/null || true
}
run batching-off --max-batch-size 1
run batching-on
