#!/usr/bin/env bash
# Creates the detection baseline's virtual environment under benchmarks/work/venv-det from the local index.
# Idempotent: does nothing when the venv already has every pinned package. Prints the venv's path.
#   BENCH_WORK   work folder (default benchmarks/work); DET_VENV  the venv itself (default $BENCH_WORK/venv-det)
#   PIP_INDEX_URL  default file:///opt/pypi/simple (a network index makes pip hang on retries here)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="${BENCH_WORK:-$here/../work}"
venv="${DET_VENV:-$work/venv-det}"
stamp="$venv/.requirements.sha256"
want="$(sha256sum < "$here/requirements.txt" | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -x "$venv/bin/gunicorn" ]]; then
  echo "$venv"
  exit 0
fi
mkdir -p "$(dirname "$venv")"
python3 -m venv "$venv"
export PIP_INDEX_URL="${PIP_INDEX_URL:-file:///opt/pypi/simple}"
export PIP_DISABLE_PIP_VERSION_CHECK=1
"$venv/bin/pip" install -q -r "$here/requirements.txt" >&2
echo "$want" > "$stamp"
echo "$venv"
