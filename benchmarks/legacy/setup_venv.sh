#!/usr/bin/env bash
# Creates the legacy service's virtual environment under benchmarks/work/venv from the local index.
# Idempotent: does nothing when the venv already has every pinned package.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="${BENCH_WORK:-$here/../work}"
venv="$work/venv"
stamp="$venv/.requirements.sha256"
want="$(cat "$here/requirements.txt" | sha256sum | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
mkdir -p "$work"
python3 -m venv "$venv"
export PIP_INDEX_URL="${PIP_INDEX_URL:-file:///opt/pypi/simple}"
export PIP_DISABLE_PIP_VERSION_CHECK=1
torch_wheel="$(ls /opt/wheels/torch-*+cpu-cp311-*.whl | head -1)"
"$venv/bin/pip" install -q --find-links /opt/wheels "$torch_wheel" -r "$here/requirements.txt"
echo "$want" > "$stamp"
