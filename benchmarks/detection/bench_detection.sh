#!/usr/bin/env bash
# The detection benchmark: the Java runtime and the Python baseline (gunicorn -w 2 and -w 1) serving YOLOv8n
# on bus.jpg, interleaved in one run with wrk, reported as a markdown table with runtime/python ratios.
#   benchmarks/detection/bench_detection.sh [--write]     (--write: also benchmarks/results/<date>-detection.md)
# Environment variables: see bench_detection.py's docstring and README.md (BENCH_DURATION, BENCH_SERVERS,
# JAVA_SERVER_CMD, DET_MODEL_PATH, ...). Needs wrk (apt-get install wrk) and python3.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
command -v wrk >/dev/null || { echo "bench_detection: wrk is not installed (apt-get install wrk)" >&2; exit 2; }
if [[ ",${BENCH_SERVERS:-java,py2,py1}," == *,py* ]]; then
  DET_VENV="$("$here/setup_venv.sh")"
  export DET_VENV
fi
cd "$root"
exec python3 "$here/bench_detection.py" "$@"
