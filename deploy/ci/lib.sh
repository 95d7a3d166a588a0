# Sourced by the CI scripts (image-test.sh, registry-test.sh, ymir-test.sh): output helpers, bounded
# waits, the loopback model store and the /predict check against the fixture's reference.
# Expects REPO_DIR and DEPLOY_DIR to be set by the sourcing script.
# Step times count from the calling script's start when it passes CI_ELAPSED (seconds so far).
: "${ci_started:=$((SECONDS - ${CI_ELAPSED:-0}))}"
: "${CI_NAME:=ci}"
FIXTURE_DIR="$REPO_DIR/model-loaders/src/test/fixtures/onnx/tiny_cnn"
FIXTURE_IMAGES="$REPO_DIR/model-loaders/src/test/fixtures/images"
IMAGE_FILE="$FIXTURE_IMAGES/cat32.png"

step() { echo; echo "=== [$((SECONDS - ci_started))s] $*"; }
fail() { echo "$CI_NAME FAILED: $*" >&2; exit 1; }

# A free TCP port on 127.0.0.1 (the kernel's choice; the caller binds it right away).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_ready BASE_URL CONTAINER [PODMAN_COMMAND...]: polls BASE_URL/health/ready once a second for up to
# 180 s; fails at once when the container has exited (a start-up error is not worth waiting for).
wait_ready() {
  local base=$1 container=$2 running
  shift 2
  local -a podman_cmd=("${@:-podman}")
  for _ in $(seq 1 180); do
    if curl -fsS -o /dev/null "$base/health/ready" 2>/dev/null; then return 0; fi
    running=$("${podman_cmd[@]}" inspect -f '{{.State.Running}}' "$container" 2>/dev/null || echo gone)
    if [[ "$running" != true ]]; then
      "${podman_cmd[@]}" logs "$container" 2>&1 | tail -n 30 >&2 || true
      fail "container $container exited before it was ready (exit code $("${podman_cmd[@]}" inspect -f '{{.State.ExitCode}}' "$container" 2>/dev/null))"
    fi
    sleep 1
  done
  fail "not ready on $base/health/ready after 180 s"
}

# check_predict BASE_URL WORK_DIR: /predict on the fixture image (raw bytes and multipart) matches the
# fixture's reference output within 1e-4.
check_predict() {
  local base=$1 work=$2 answer
  curl -fsS -X POST -H 'Content-Type: image/png' --data-binary "@$IMAGE_FILE" "$base/predict" >"$work/predict.json" \
    || fail "POST $base/predict failed"
  # multipart/form-data too: the upload lands in a temp folder the unprivileged user must be able to write.
  curl -fsS -X POST -F "image=@$IMAGE_FILE;type=image/png" "$base/predict" >"$work/predict-multipart.json" \
    || fail "POST $base/predict (multipart) failed"
  for answer in "$work/predict.json" "$work/predict-multipart.json"; do
    python3 - "$answer" "$FIXTURE_DIR/reference.json" <<'PY' || fail "/predict does not match the fixture reference"
import json, sys
answer = json.load(open(sys.argv[1]))
reference = json.load(open(sys.argv[2]))["image"]["outputs"]
expected = next(iter(reference.values()))
def flat(x):
    return [v for item in x for v in flat(item)] if isinstance(x, list) else [x]
got = flat(answer["predictions"])
want = expected["data"]
if len(got) != len(want):
    sys.exit(f"/predict returned {len(got)} values, the reference has {len(want)}: {answer}")
diff = max(abs(a - b) for a, b in zip(got, want))
print(f"/predict ({sys.argv[1].rsplit('/', 1)[1]}): {len(got)} values, max abs diff {diff:.3g}")
if diff > 1e-4:
    sys.exit(f"/predict differs from the reference by {diff}")
PY
  done
}

# start_model_store WORK_DIR MODEL_ID MODEL_VERSION GUID: serves the tiny_cnn fixture (model + labels) as
# a zip on the store's default route; sets STORE_PORT, STORE_PID and STORE_LOG.
start_model_store() {
  local work=$1 id=$2 version=$3 guid=$4 store_files="$1/store-model/tiny_cnn"
  mkdir -p "$store_files"
  cp "$FIXTURE_DIR/model.onnx" "$FIXTURE_DIR/labels.txt" "$store_files/"
  STORE_LOG="$work/model-store.log"
  python3 "$DEPLOY_DIR/ci/model-store.py" --model-dir "$store_files" --model-id "$id" --model-version "$version" \
    --guid "$guid" --port-file "$work/model-store.port" >"$STORE_LOG" 2>&1 &
  STORE_PID=$!
  for _ in $(seq 1 100); do
    [[ -s "$work/model-store.port" ]] && break
    kill -0 "$STORE_PID" 2>/dev/null || { cat "$STORE_LOG" >&2; fail "the model store did not start"; }
    sleep 0.1
  done
  [[ -s "$work/model-store.port" ]] || fail "the model store did not report its port within 10 s"
  STORE_PORT=$(cat "$work/model-store.port")
  head -n 1 "$STORE_LOG"
}
