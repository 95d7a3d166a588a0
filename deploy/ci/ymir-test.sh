#!/usr/bin/env bash
# Runs the image once as YMIR runs an infer executor (../shared/YMIR.md section 1) and checks what it
# leaves in /out. Called by image-test.sh when RUN_YMIR_CHECK=1 (needs `model-server batch`); alone:
#   deploy/ci/ymir-test.sh IMAGE            (needs root for rootful podman; host networking only)
# /in is built here from the examples in YMIR.md (env.yaml verbatim; config.yaml and the index adapted to
# the tiny_cnn fixture and the fixture images, one of them without an extension), mounted read-only;
# /out is an empty folder, writable for everyone as the platform leaves it. The container gets no
# command (the image's CMD decides), a non-root uid without a passwd entry, and no model settings.
# Checks: exit code 0; /out/monitor.txt is one tab-separated record <task_id> <timestamp> <percent>
# <state> [...] with percent 1 and state 2: YMIR.md section 7, the executor's last record is 1.0 in state 2
# (running) and state 3 (done) is written by the platform after the container exits and the results are
# imported; /out/infer-result.json parses and has exactly one
# entry per asset, keyed by the asset's base name; /in is unchanged; the image did not write
# /out/ymir-executor-out.log (the platform's file).
set -euo pipefail

DEPLOY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_DIR=$(cd "$DEPLOY_DIR/.." && pwd)
CI_NAME=ymir-test
IMAGE=${1:?usage: ymir-test.sh IMAGE}
TASK_ID=t00000020000012afef21665989437
DONE_STATE=2          # YMIR LogState: 1 pending, 2 running, 3 done, 4 error; the executor ends at 1.0 in 2 (YMIR.md 7)
RUN_UID=4343:4343     # any non-root uid: YMIR passes the host user's
CONTAINER=model-runtime-ci-ymir
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ymir-test.XXXXXX")
trap 'podman rm -f "$CONTAINER" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
# shellcheck source=lib.sh
source "$DEPLOY_DIR/ci/lib.sh"
# shellcheck source=podman-env.sh
source "$DEPLOY_DIR/ci/podman-env.sh"

in=$WORK/in out=$WORK/out
mkdir -p "$in"/{assets/a1,assets/b7,assets/c3,assets/d4,models/epoch_50,annotations,predictions} "$out"/{models,tensorboard}
# env.yaml: the example of YMIR.md section 4, verbatim.
cat >"$in/env.yaml" <<YML
input:
  annotations_dir: /in/annotations
  assets_dir: /in/assets
  candidate_index_file: /in/candidate-index.tsv
  config_file: /in/config.yaml
  models_dir: /in/models
  root_dir: /in
  training_index_file: ''
  val_index_file: ''
manifest_file: /img-man/manifest.yaml
output:
  executor_log_file: /out/ymir-executor-out.log
  infer_result_file: /out/infer-result.json
  mining_result_file: /out/result.tsv
  models_dir: /out/models
  monitor_file: /out/monitor.txt
  root_dir: /out
  tensorboard_dir: /out/tensorboard
  training_result_file: /out/models/result.yaml
protocol_version: 1.1.0
run_infer: true
run_mining: false
run_training: false
task_id: $TASK_ID
YML
# config.yaml: the example of section 5 with the fixture's classes and model, on CPU (gpu_id '').
{
  echo "batch_size: 8"
  echo "class_names: [$(paste -sd, "$FIXTURE_DIR/labels.txt" | sed 's/,/, /g')]"
  echo "conf_threshold: 0.25"
  echo "gpu_count: 0"
  echo "gpu_id: ''"
  echo "model_params_path:"
  echo "- /in/models/epoch_50/model.onnx"
  echo "- /in/models/epoch_50/labels.txt"
  echo "object_type: 1"
  echo "run_infer: true"
  echo "run_mining: false"
  echo "task_id: $TASK_ID"
} >"$in/config.yaml"
cp "$FIXTURE_DIR/model.onnx" "$FIXTURE_DIR/labels.txt" "$in/models/epoch_50/"
cat >"$in/models/ymir-info.yaml" <<'YML'
# Model package metadata (constructed for the test; the executor needs only model_params_path).
best_stage_name: epoch_50
stages:
  epoch_50:
    files: [model.onnx, labels.txt]
    stage_name: epoch_50
YML
# Assets keyed by hash-like names as ymir stores them, one without an extension (section 6).
cp "$FIXTURE_IMAGES/cat32.png" "$in/assets/a1/5e0f3c0b9a1d2e7c.png"
cp "$FIXTURE_IMAGES/rgb64x48.png" "$in/assets/b7/77d21ab04c3e9f10"
cp "$FIXTURE_IMAGES/rgb64x48.jpg" "$in/assets/c3/9a41c2d07e5b3f88.jpg"
cp "$FIXTURE_IMAGES/digit28.png" "$in/assets/d4/0c6e1f2a3b4d5e6f.png"
find "$in/assets" -type f | sort >"$in/candidate-index.tsv"
sed -i "s#^$in#/in#" "$in/candidate-index.tsv"
echo >>"$in/candidate-index.tsv"   # a blank line at the end, as the platform may leave one
chmod -R a+rX "$in"
chmod -R 0777 "$out"
in_before=$(cd "$in" && find . -type f -exec sha256sum {} + | sort)
echo "/in: $(grep -c . "$in/candidate-index.tsv") assets, model /in/models/epoch_50/model.onnx; run as uid $RUN_UID"

set +e
timeout 300 podman run --rm --name "$CONTAINER" --network=host --health-interval=disable --user "$RUN_UID" \
  -v "$in:/in:ro" -v "$out:/out" "$IMAGE" >"$WORK/console.log" 2>&1
rc=$?
set -e
tail -n 15 "$WORK/console.log"
[[ $rc == 0 ]] || fail "the YMIR run exited with $rc"

[[ -s "$out/monitor.txt" ]] || fail "/out/monitor.txt is missing or empty"
[[ -e "$out/ymir-executor-out.log" ]] && fail "the image wrote /out/ymir-executor-out.log (the platform's file)"
python3 - "$out/monitor.txt" "$TASK_ID" "$DONE_STATE" <<'PY' || fail "/out/monitor.txt is not a final YMIR record"
import sys
path, task_id, done = sys.argv[1], sys.argv[2], sys.argv[3]
first = open(path).read().splitlines()[0]
fields = first.split("\t")
if len(fields) < 4:
    sys.exit(f"monitor.txt: {len(fields)} tab-separated fields, YMIR needs at least 4: {first!r}")
if fields[0] != task_id:
    sys.exit(f"monitor.txt: task id {fields[0]!r}, env.yaml says {task_id!r}")
float(fields[1])  # Unix seconds
if abs(float(fields[2]) - 1.0) > 1e-9:
    sys.exit(f"monitor.txt: percent {fields[2]} at the end, not 1")
if fields[3] != done:
    sys.exit(f"monitor.txt: state {fields[3]}, not {done} (the executor's final state)")
print(f"monitor.txt: {first!r}")
PY
python3 - "$out/infer-result.json" "$in/candidate-index.tsv" <<'PY' || fail "/out/infer-result.json does not cover the assets"
import json, os, sys
result = json.load(open(sys.argv[1]))
assets = [l.split("\t")[0] for l in open(sys.argv[2]).read().splitlines() if l.strip()]
names = {os.path.basename(a) for a in assets}
# The per-asset mapping, wherever the result's shape puts it (e.g. {"<task type>": {"<name>": {...}}}).
def mappings(node, depth=0):
    if isinstance(node, dict):
        yield node
        if depth < 2:
            for value in node.values():
                yield from mappings(value, depth + 1)
found = [m for m in mappings(result) if set(m) == names]
if not found:
    sys.exit(f"no mapping keyed by exactly the {len(names)} asset names {sorted(names)} in {json.dumps(result)[:400]}")
print(f"infer-result.json: {len(names)} entries, one per asset, e.g. {json.dumps(next(iter(found[0].items())))[:160]}")
PY
in_after=$(cd "$in" && find . -type f -exec sha256sum {} + | sort)
[[ "$in_before" == "$in_after" ]] || fail "/in changed during the run"
echo "YMIR run: exit 0, monitor at 100 % in the executor's final state (2), one result per asset, /in untouched"
