#!/usr/bin/env bash
# CI proof of the image (called by .ci/run; idempotent; needs root, apt and Maven Central / npm access):
#   1. installs podman, runc and debootstrap; builds or re-imports the cached local JRE base image;
#   2. builds the CPU image from deploy/samples/tiny-cnn (system/ overlay, build hooks, model-config.yaml)
#      with the tiny_cnn ONNX fixture baked in;
#   3. runs it with HOSTS set, waits for readiness, checks a /predict answer against the fixture's
#      reference (<= 1e-4), the /etc/hosts entries, the overlay and hook files, the unprivileged JVM user,
#      the HEALTHCHECK, /metrics, that the baked natives load from a read-only root filesystem, then
#      `podman stop` and exit code 0;
#   4. builds the GPU variant's Dockerfile up to the step that needs a registry (its CUDA base);
#   5. validates deploy/kubernetes with the pinned npm validators (npm ci).
# Host networking only (--network=host): other podman network modes rewrite the host's iptables.
set -euo pipefail
export CI=true DEBIAN_FRONTEND=noninteractive

DEPLOY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_DIR=$(cd "$DEPLOY_DIR/.." && pwd)
BASE_TAG=localhost/model-runtime-base:bookworm-jre17
IMAGE=localhost/model-runtime:ci-cpu
CONTAINER=model-runtime-ci
FIXTURE_DIR="$REPO_DIR/model-loaders/src/test/fixtures/onnx/tiny_cnn"
IMAGE_FILE="$REPO_DIR/model-loaders/src/test/fixtures/images/cat32.png"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/image-test.XXXXXX")
started=$SECONDS

step() { echo; echo "=== [$((SECONDS - started))s] $*"; }
fail() { echo "image-test FAILED: $*" >&2; exit 1; }

cleanup() {
  if command -v podman >/dev/null 2>&1 && podman container exists "$CONTAINER" 2>/dev/null; then
    podman logs "$CONTAINER" >"$WORK/container.log" 2>&1 || true
    echo "--- last container log lines:"; tail -n 40 "$WORK/container.log" || true
    podman rm -f "$CONTAINER" >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

[[ $(id -u) == 0 ]] || fail "needs root (rootful podman, debootstrap)"

step "tools: podman, runc, debootstrap, curl"
missing=()
for tool in podman runc debootstrap curl; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
if [[ ${#missing[@]} -gt 0 ]]; then
  apt-get update -q
  apt-get install -y -q --no-install-recommends podman runc debootstrap curl ca-certificates uidmap
fi
command -v node >/dev/null && command -v npm >/dev/null || fail "node and npm are needed for the Kubernetes validation"

# shellcheck source=podman-env.sh
source "$DEPLOY_DIR/ci/podman-env.sh"

step "base image $BASE_TAG (debootstrap tarball cached under $MODEL_RUNTIME_CACHE)"
BASE_TAG=$BASE_TAG "$DEPLOY_DIR/ci/base-image.sh"

step "Kubernetes manifests: npm ci + schema validation (with self-test)"
(cd "$DEPLOY_DIR/kubernetes/validate" && npm ci --no-audit --no-fund --loglevel=error && node validate.mjs --self-test)

step "CPU image $IMAGE from deploy/samples/tiny-cnn with the tiny_cnn fixture baked in"
[[ -f "$FIXTURE_DIR/model.onnx" && -f "$FIXTURE_DIR/reference.json" ]] || fail "fixture $FIXTURE_DIR missing"
"$DEPLOY_DIR/build-image.sh" --variant cpu --tag "$IMAGE" --builder podman \
  --base-image "$BASE_TAG" --builder-arg --network=host \
  --model "$FIXTURE_DIR/model.onnx" "$DEPLOY_DIR/samples/tiny-cnn"
podman image inspect "$IMAGE" --format '{{.Size}}' | awk '{printf "image size: %.0f MB\n", $1/1e6}'

step "run it with HOSTS set"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
podman rm -f "$CONTAINER" >/dev/null 2>&1 || true
podman run -d --name "$CONTAINER" --network=host --health-interval=disable --memory=3g \
  -e PORT="$port" -e HOSTS="10.11.12.13<->model-store.factory.local, 10.11.12.14<->db.factory.local" \
  "$IMAGE" >/dev/null
base="http://127.0.0.1:$port"
ready=false
for _ in $(seq 1 180); do
  if curl -fsS -o /dev/null "$base/health/ready" 2>/dev/null; then ready=true; break; fi
  [[ "$(podman inspect -f '{{.State.Running}}' "$CONTAINER")" == true ]] \
    || fail "container exited before it was ready (exit code $(podman inspect -f '{{.State.ExitCode}}' "$CONTAINER"))"
  sleep 1
done
[[ $ready == true ]] || fail "not ready on $base/health/ready after 180 s"
echo "ready on $base"
podman healthcheck run "$CONTAINER" || fail "the image's HEALTHCHECK reports unhealthy while /health/ready answers"
echo "HEALTHCHECK: healthy"

step "/predict with the fixture image against the reference (max abs diff <= 1e-4)"
curl -fsS -X POST -H 'Content-Type: image/png' --data-binary "@$IMAGE_FILE" "$base/predict" >"$WORK/predict.json"
# multipart/form-data too: the upload lands in a temp folder the unprivileged user must be able to write.
curl -fsS -X POST -F "image=@$IMAGE_FILE;type=image/png" "$base/predict" >"$WORK/predict-multipart.json"
for answer_file in "$WORK/predict.json" "$WORK/predict-multipart.json"; do
python3 - "$answer_file" "$FIXTURE_DIR/reference.json" <<'PY'
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

step "model-config.yaml from the delivery folder is the runtime's config (model_name: tiny-cnn)"
curl -fsS "$base/v2/models/tiny-cnn" >"$WORK/metadata.json" || fail "/v2/models/tiny-cnn not served: model-config.yaml not applied"
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); assert m["name"]=="tiny-cnn", m; print("metadata:", m["name"], [i["name"] for i in m["inputs"]])' "$WORK/metadata.json"

step "/etc/hosts, overlay, build hooks, delivery config, runtime user inside the container"
hosts=$(podman exec "$CONTAINER" cat /etc/hosts)
for line in "10.11.12.13 model-store.factory.local" "10.11.12.14 db.factory.local"; do
  grep -qxF "$line" <<<"$hosts" || fail "/etc/hosts lacks '$line': $hosts"
done
[[ "$(podman exec "$CONTAINER" getent hosts model-store.factory.local | awk '{print $1}')" == 10.11.12.13 ]] \
  || fail "model-store.factory.local does not resolve to 10.11.12.13 inside the container"
podman exec "$CONTAINER" cat /etc/model-factory/site.conf | cmp - "$DEPLOY_DIR/samples/tiny-cnn/system/etc/model-factory/site.conf" \
  || fail "system/ overlay file differs inside the image"
[[ "$(podman exec "$CONTAINER" cat /etc/model-factory/build-start)" == "build-start: runtime absent" ]] \
  || fail "image-build-start.sh did not run at the start of the build"
[[ "$(podman exec "$CONTAINER" cat /etc/model-factory/build-end)" == "build-end: runtime present" ]] \
  || fail "image-build-end.sh did not run at the end of the build"
podman exec "$CONTAINER" cat /opt/model-runtime/config/model-config.yaml \
  | cmp - "$DEPLOY_DIR/samples/tiny-cnn/model_resource/model-config.yaml" || fail "model-config.yaml not in the image"
jvm_uid=$(podman exec "$CONTAINER" stat -c %u /proc/1)
[[ "$jvm_uid" == 10001 ]] || fail "PID 1 runs as uid $jvm_uid, not the unprivileged runtime user 10001"
[[ "$(podman exec "$CONTAINER" cat /proc/1/comm)" == java ]] || fail "PID 1 is not the JVM (SIGTERM would not reach it)"
# The class-data archive made at build time is mapped, not merely named: a stale one would be skipped.
# (read as the JVM's own user: /proc/1/maps of a no-new-privs process is closed to root's exec session)
podman exec --user 10001:10001 "$CONTAINER" grep -q 'model-server.jsa' /proc/1/maps \
  || fail "the JVM did not map /opt/model-runtime/model-server.jsa (AppCDS archive unused)"
echo "hosts, overlay, hooks, config: ok; JVM is PID 1 as uid 10001 with the AppCDS archive mapped"

step "/metrics"
curl -fsS "$base/metrics" >"$WORK/metrics.txt"
python3 - "$WORK/metrics.txt" <<'PY'
import sys
text = open(sys.argv[1]).read()
types = [l for l in text.splitlines() if l.startswith("# TYPE ")]
samples = [l for l in text.splitlines() if l and not l.startswith("#")]
if not types or not samples:
    sys.exit("no Prometheus metrics in /metrics")
# The /predict call above must have been counted by a request counter labelled with its route.
counted = [l for l in samples
           if l.split("{")[0].endswith("_count") and 'route="/predict"' in l and float(l.rsplit(" ", 1)[1]) >= 1]
if not counted:
    sys.exit("/metrics has no request count for route /predict after a /predict call")
print(f"/metrics: {len(types)} metric families, e.g. {counted[0][:120]}")
PY

step "baked natives load from a read-only root filesystem as the runtime user (no extraction at start)"
podman run --rm --network=host --health-interval=disable --read-only --user 10001:10001 --entrypoint java "$IMAGE" \
  -Dai.djl.offline=true -Dorg.bytedeco.javacpp.cachedir=/opt/model-runtime/natives/javacpp \
  -cp '/opt/model-runtime/lib/*:/opt/model-runtime/tools/*' com.modelfactory.runtime.deploy.NativeWarmup \
  --native-dir /opt/model-runtime/natives 2>&1 | grep -E '^(prepared|FAILED)' | tee "$WORK/natives.txt"
grep -q FAILED "$WORK/natives.txt" && fail "natives are not usable from the image as baked"
[[ $(grep -c '^prepared' "$WORK/natives.txt") -ge 3 ]] || fail "expected ONNX Runtime, libtorch and TensorFlow natives"

step "podman stop: the runtime drains and exits 0 on SIGTERM"
podman stop --time 60 "$CONTAINER" >/dev/null
code=$(podman inspect -f '{{.State.ExitCode}}' "$CONTAINER")
podman logs "$CONTAINER" >"$WORK/container.log" 2>&1 || true
[[ "$code" == 0 ]] || { tail -n 20 "$WORK/container.log"; fail "exit code $code after SIGTERM (143 = killed by the signal, not drained)"; }
echo "exit code 0"
podman rm -f "$CONTAINER" >/dev/null

step "malformed HOSTS stops the start with a message"
set +e
out=$(podman run --rm --network=host --health-interval=disable -e HOSTS="10.0.0.1<->ok,10.0.0.999<->bad" "$IMAGE" 2>&1)
rc=$?
set -e
[[ $rc == 64 && "$out" == *"malformed HOSTS entry '10.0.0.999<->bad'"* ]] || fail "malformed HOSTS: rc $rc, output: $out"
echo "rejected: ${out##*entrypoint: }"

step "GPU variant: the Dockerfile builds up to its CUDA base image, which needs a registry"
"$DEPLOY_DIR/build-image.sh" --variant gpu --skip-maven --context-only "$WORK/gpu-context" --model "$FIXTURE_DIR/model.onnx" \
  "$DEPLOY_DIR/samples/tiny-cnn"
eval "gpu_args=($(cat "$WORK/gpu-context/build-args"))"   # written with printf %q by build-image.sh
set +e
timeout 300 podman build --network=host --format docker --pull=missing "${gpu_args[@]}" -t localhost/model-runtime:ci-gpu \
  "$WORK/gpu-context" >"$WORK/gpu-build.log" 2>&1
rc=$?
set -e
tail -n 5 "$WORK/gpu-build.log"
[[ $rc != 0 ]] || fail "the GPU build unexpectedly succeeded without a registry (is nvidia/cuda cached?)"
grep -q 'docker.io/nvidia/cuda' "$WORK/gpu-build.log" || fail "the GPU build failed before reaching its base image"
grep -qE 'STEP 2/|RUN ' "$WORK/gpu-build.log" && fail "the GPU build ran steps past FROM"
echo "GPU Dockerfile parsed; the build stops at pulling docker.io/nvidia/cuda (no registry here)"

# Dangling layers of earlier runs pile up (about 2 GB per changed build); keep a day's worth as cache.
podman image prune -f --filter until=24h >/dev/null 2>&1 || true

step "done in $((SECONDS - started)) s"
