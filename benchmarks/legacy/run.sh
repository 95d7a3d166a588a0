#!/usr/bin/env bash
# Starts the legacy service as the legacy run.sh did: gunicorn, sync workers, port 5000 by default.
# usage: MODEL_PATH=... legacy/run.sh [workers] [port]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${BENCH_WORK:-$here/../work}/venv"
workers="${1:-1}"
port="${2:-5000}"
exec "$venv/bin/gunicorn" -w "$workers" -b "127.0.0.1:$port" --chdir "$here" --log-level warning flask_service:app
