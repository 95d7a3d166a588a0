#!/usr/bin/env bash
# One command for the whole benchmark: build, prepare models and the legacy venv, measure, write
# benchmarks/results/<date>-<host>.{md,json}.
#   benchmarks/run.sh           full run (~15-20 min on 2 cores)
#   benchmarks/run.sh --quick   smoke run: tiny ONNX only, short points (well under a minute once built)
#   benchmarks/run.sh --batch [--images N] [--repeats R]   batch mode: MobileNetV2 over N JPEGs (2000)
#                               against the engine's ceiling and a Python loop (harness/batch_bench.py)
# Env: BENCH_MODELS=tiny_onnx,mobilenetv2_onnx,... limits the models; BENCH_DURATION / BENCH_WARMUP /
# BENCH_REPEATS override the per-point times; SKIP_BUILD=1 reuses what is built.
set -euo pipefail
bench="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$bench")"
work="${BENCH_WORK:-$bench/work}"
export BENCH_WORK="$work"
mkdir -p "$work"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  modules=benchmarks
  [[ -d "$root/server" ]] && modules=server,benchmarks
  echo "building $modules"
  (cd "$root" && mvn -B -o -q -pl "$modules" -am package -DskipTests)
fi

# The runtime runs as deployed: server/bin/model-server with the class-data archive the image also makes.
if [[ -f "$root/server/target/model-server.jar" && ( ! -f "$root/server/target/model-server.jsa" \
      || "$root/server/target/model-server.jar" -nt "$root/server/target/model-server.jsa" ) ]]; then
  "$root/server/bin/cds-archive"
fi

"$bench/legacy/setup_venv.sh"

models="$work/models"
if [[ ! -f "$models/onnx_mobilenetv2/model.onnx" || ! -f "$models/images/rgb32_0.png" ]]; then
  echo "generating models into $models"
  TF_CPP_MIN_LOG_LEVEL=2 "$work/venv/bin/python" "$bench/models/make_mobilenet.py" "$models" 2>&1 \
    | grep -v -i -E 'warn|deprecat' || true
fi

if [[ "${1:-}" == --batch ]]; then
  shift
  exec python3 "$bench/harness/batch_bench.py" "$@"
fi
exec python3 "$bench/harness/bench.py" "$@"
