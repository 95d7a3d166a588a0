#!/usr/bin/env bash
# One command for the whole benchmark: build, prepare models and the legacy venv, measure, write
# benchmarks/results/<date>-<host>.{md,json}.
#   benchmarks/run.sh           full run (~30-40 min on 2 cores)
#   benchmarks/run.sh --quick   tiny ONNX only, short points (~2 min once built)
#   benchmarks/run.sh --batch [--images N] [--repeats R]   batch mode: MobileNetV2 over N JPEGs (2000)
#                               against the engine's ceiling and a Python loop (harness/batch_bench.py)
# Env: see benchmarks/README.md (BENCH_MODELS, BENCH_VARIANTS, ...); SKIP_BUILD=1 reuses what is built.
# Refuses to measure on a busy machine (exit 3, no result file).
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

# The runtime runs as deployed: server/bin/model-server with the class-data archive the image also makes
# (an AppCDS archive on JDK 17, an AOT cache on JDK 25+: also for every JAVA_HOME a variant runs on).
if [[ -f "$root/server/target/model-server.jar" ]]; then
  "$root/server/bin/cds-archive" --if-stale
  for home in $(grep -o 'JAVA_HOME=[^ ;]*' <<<"${BENCH_VARIANTS:-}" | cut -d= -f2 | sort -u); do
    JAVA_HOME="$home" "$root/server/bin/cds-archive" --if-stale
  done
fi

"$bench/legacy/setup_venv.sh"

models="$work/models"
if [[ ! -f "$models/onnx_mobilenetv2/model.onnx" || ! -f "$models/images/rgb32_0.jpg" ]]; then
  echo "generating models into $models"
  TF_CPP_MIN_LOG_LEVEL=2 "$work/venv/bin/python" "$bench/models/make_mobilenet.py" "$models" 2>&1 \
    | grep -v -i -E 'warn|deprecat' || true
fi

if [[ "${1:-}" == --batch ]]; then
  shift
  exec python3 "$bench/harness/batch_bench.py" "$@"
fi
exec python3 "$bench/harness/bench.py" "$@"
