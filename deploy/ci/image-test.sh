#!/usr/bin/env bash
# The YMIR executor run (ymir-test.sh) of `model-server batch`: 1 runs it, 0 skips it.
RUN_YMIR_CHECK=${RUN_YMIR_CHECK:-1}
#
# CI proof of the image (called by .ci/run; idempotent; needs root, apt and Maven Central / npm access):
#   1. installs what is missing (podman, runc, debootstrap, docker-registry, apache2-utils, python3);
#      builds or re-imports the cached local JRE base image; validates deploy/kubernetes (npm ci);
#   2. builds the CPU image from deploy/samples/tiny-cnn (system/ overlay, build hooks, model-config.yaml),
#      no model baked in, and prints its size and every layer's size;
#   3. checks the YMIR contract: `IMAGE cat /img-man/manifest.yaml` prints the manifest, the default
#      command is /usr/bin/start.sh behind the pass-through entrypoint;
#   4. starts a loopback model store (model-store.py) and runs the image with only XQUERY_ADDR, MODEL_ID,
#      MODEL_VERSION, GUID (plus PORT and HOSTS, which also names the store): the model is downloaded at
#      start; checks /predict against the fixture's reference (<= 1e-4), the download, the /etc/hosts
#      entries, the overlay and hook files, the unprivileged JVM as PID 1, the HEALTHCHECK, /metrics;
#   5. runs it as an arbitrary uid on a read-only root filesystem with the model on a read-only mount
#      (as YMIR runs executors), and, with RUN_YMIR_CHECK=1, once in YMIR mode (ymir-test.sh);
#   6. the baked natives load from a read-only root filesystem; `podman stop` -> exit code 0; a malformed
#      HOSTS -> exit code 64;
#   7. registry-test.sh: build-image.sh --push to a loopback registry with htpasswd auth, pull back by
#      digest into empty storage, run, /predict (a baked-model image: what the store run cannot show);
#   8. builds the GPU variant's Dockerfile up to the step that needs a registry (its CUDA base).
# Host networking only (--network=host): other podman network modes rewrite the host's iptables.
set -euo pipefail
export CI=true DEBIAN_FRONTEND=noninteractive

DEPLOY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_DIR=$(cd "$DEPLOY_DIR/.." && pwd)
CI_NAME=image-test
BASE_TAG=localhost/model-runtime-base:bookworm-jre17-turbojpeg
IMAGE=localhost/model-runtime:ci-cpu
CONTAINER=model-runtime-ci
UID_CONTAINER=model-runtime-ci-uid
STORE_MODEL_ID=tiny-cnn STORE_MODEL_VERSION=3 STORE_GUID=ci-guid-7f3a9c01
WORK=$(mktemp -d "${TMPDIR:-/tmp}/image-test.XXXXXX")
ci_started=$SECONDS
STORE_PID=""
# shellcheck source=lib.sh
source "$DEPLOY_DIR/ci/lib.sh"

cleanup() {
  local c
  for c in "$CONTAINER" "$UID_CONTAINER"; do
    if command -v podman >/dev/null 2>&1 && podman container exists "$c" 2>/dev/null; then
      podman logs "$c" >"$WORK/$c.log" 2>&1 || true
      echo "--- last log lines of $c:"; tail -n 40 "$WORK/$c.log" || true
      podman rm -f "$c" >/dev/null 2>&1 || true
    fi
  done
  if [[ -n "$STORE_PID" ]]; then kill "$STORE_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

[[ $(id -u) == 0 ]] || fail "needs root (rootful podman, debootstrap)"

step "tools: podman, runc, debootstrap, curl, python3, docker-registry, htpasswd"
missing=()
for tool in podman runc debootstrap curl python3 docker-registry htpasswd; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  apt-get update -q
  apt-get install -y -q --no-install-recommends podman runc debootstrap curl ca-certificates uidmap python3 \
    docker-registry apache2-utils
fi
command -v node >/dev/null && command -v npm >/dev/null || fail "node and npm are needed for the Kubernetes validation"

# shellcheck source=podman-env.sh
source "$DEPLOY_DIR/ci/podman-env.sh"

step "base image $BASE_TAG (debootstrap tarball cached under $MODEL_RUNTIME_CACHE)"
BASE_TAG=$BASE_TAG "$DEPLOY_DIR/ci/base-image.sh"

step "Kubernetes manifests: npm ci + schema validation (with self-test)"
(cd "$DEPLOY_DIR/kubernetes/validate" && npm ci --no-audit --no-fund --loglevel=error && node validate.mjs --self-test)

step "CPU image $IMAGE from deploy/samples/tiny-cnn, no model baked in (it comes from the store)"
[[ -f "$FIXTURE_DIR/model.onnx" && -f "$FIXTURE_DIR/reference.json" ]] || fail "fixture $FIXTURE_DIR missing"
"$DEPLOY_DIR/build-image.sh" --variant cpu --tag "$IMAGE" --builder podman \
  --base-image "$BASE_TAG" --builder-arg --network=host "$DEPLOY_DIR/samples/tiny-cnn"

step "image size and layers ($IMAGE)"
podman image inspect "$IMAGE" --format '{{.Size}}' | awk '{printf "image size: %.0f MB (%d bytes, uncompressed)\n", $1/1e6, $1}'
# Layers that add files, oldest first, with the instruction that made them (sizes in bytes from JSON).
podman history --format json "$IMAGE" | python3 -c '
import json, re, sys
for layer in reversed(json.load(sys.stdin)):
    size = layer["size"]
    if size == 0:
        continue
    shown = f"{size / 1e6:7.1f} MB" if size >= 1e5 else f"{size / 1e3:7.1f} kB"
    what = re.sub(r"^/bin/sh -c (#\(nop\) )?", "", layer["CreatedBy"])
    what = re.sub(r"(COPY|ADD) (dir|file):[0-9a-f]+ in ", r"\1 ", what)
    print(f"  layer {shown}  {what[:90]}")
'

step "YMIR image contract: manifest and templates readable with \`cat\`, default command start.sh"
[[ "$(podman image inspect "$IMAGE" --format '{{json .Config.Entrypoint}}')" == '["/opt/model-runtime/bin/entrypoint.sh"]' ]] \
  || fail "unexpected ENTRYPOINT: $(podman image inspect "$IMAGE" --format '{{json .Config.Entrypoint}}')"
[[ "$(podman image inspect "$IMAGE" --format '{{json .Config.Cmd}}')" == '["/usr/bin/start.sh"]' ]] \
  || fail "the default command (CMD) is not /usr/bin/start.sh: $(podman image inspect "$IMAGE" --format '{{json .Config.Cmd}}')"
# As YMIR inspects an image: `docker run --rm IMAGE cat FILE`, stdout must be exactly the file.
for file in manifest.yaml infer-template.yaml det/infer-template.yaml det/mining-template.yaml \
    semantic-seg/infer-template.yaml instance-seg/infer-template.yaml; do
  mkdir -p "$(dirname "$WORK/$file")"
  podman run --rm --network=host --health-interval=disable "$IMAGE" cat "/img-man/$file" >"$WORK/$file" \
    || fail "podman run IMAGE cat /img-man/$file failed"
  cmp "$WORK/$file" "$DEPLOY_DIR/image/img-man/$file" || fail "/img-man/$file in the image differs from deploy/image/img-man"
done
grep -E '^object_type: \[2, 3, 4\]$' "$WORK/manifest.yaml" || fail "the manifest does not list object types 2, 3, 4"
podman run --rm --network=host --health-interval=disable "$IMAGE" cat /usr/bin/start.sh \
  | cmp - "$DEPLOY_DIR/image/start.sh" || fail "/usr/bin/start.sh differs from deploy/image/start.sh"
echo "ENTRYPOINT passes commands through, CMD /usr/bin/start.sh; /img-man/manifest.yaml and the per-type templates print as committed"

step "model store on loopback; the container gets only XQUERY_ADDR, MODEL_ID, MODEL_VERSION, GUID (+ PORT, HOSTS)"
start_model_store "$WORK" "$STORE_MODEL_ID" "$STORE_MODEL_VERSION" "$STORE_GUID"
port=$(free_port)
podman rm -f "$CONTAINER" >/dev/null 2>&1 || true
# HOSTS names the store: the container reaches it through the /etc/hosts entry the entrypoint writes.
# No command: the default (start.sh) must choose the server.
# GRPC_PORT: a free port too; the default 8081 is shared by everything on the host network (and by the
# second container below, which runs beside this one).
podman run -d --name "$CONTAINER" --network=host --health-interval=disable --memory=3g \
  -e PORT="$port" -e GRPC_PORT="$(free_port)" -e HOSTS="127.0.0.1<->model-store.factory.local, 10.11.12.14<->db.factory.local" \
  -e XQUERY_ADDR="http://model-store.factory.local:$STORE_PORT" -e MODEL_ID="$STORE_MODEL_ID" \
  -e MODEL_VERSION="$STORE_MODEL_VERSION" -e GUID="$STORE_GUID" \
  "$IMAGE" >/dev/null
base="http://127.0.0.1:$port"
wait_ready "$base" "$CONTAINER"
echo "ready on $base"
podman healthcheck run "$CONTAINER" || fail "the image's HEALTHCHECK reports unhealthy while /health/ready answers"
echo "HEALTHCHECK: healthy"
downloads=$(grep -c "^GET /model/download?modelId=$STORE_MODEL_ID&modelVersion=$STORE_MODEL_VERSION&guid=$STORE_GUID 200 " "$STORE_LOG" || true)
[[ "$downloads" == 1 ]] || { cat "$STORE_LOG"; fail "expected one successful download from the store, saw $downloads"; }
grep -v '^model store on' "$STORE_LOG"
podman logs "$CONTAINER" >"$WORK/container.log" 2>&1
grep -F -q "$STORE_GUID" "$WORK/container.log" && fail "the store GUID appears in the container log"
echo "the model was downloaded from the store at start (once); the GUID is not in the container log"

step "/predict with the fixture image against the reference (max abs diff <= 1e-4)"
check_predict "$base" "$WORK"

step "a JPEG: decoded by libjpeg-turbo (libturbojpeg0 in the image, JNA's dispatch library baked)"
curl -fsS -X POST -H 'Content-Type: image/jpeg' --data-binary "@$REPO_DIR/model-loaders/src/test/fixtures/images/rgb64x48.jpg" \
  "$base/predict" >"$WORK/predict-jpeg.json" || fail "POST $base/predict with a JPEG failed"
podman logs "$CONTAINER" >"$WORK/container.log" 2>&1
grep -q "JPEG images: decoded by libjpeg-turbo" "$WORK/container.log" \
  || { grep -F "JPEG images" "$WORK/container.log"; fail "the image does not decode JPEGs with libjpeg-turbo"; }
echo "JPEG images: decoded by libjpeg-turbo"

step "model-config.yaml from the delivery folder is the runtime's config (model_name: tiny-cnn)"
curl -fsS "$base/v2/models/tiny-cnn" >"$WORK/metadata.json" || fail "/v2/models/tiny-cnn not served: model-config.yaml not applied"
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); assert m["name"]=="tiny-cnn", m; print("metadata:", m["name"], [i["name"] for i in m["inputs"]])' "$WORK/metadata.json"

step "/etc/hosts, overlay, build hooks, delivery config, runtime user inside the container"
hosts=$(podman exec "$CONTAINER" cat /etc/hosts)
for line in "127.0.0.1 model-store.factory.local" "10.11.12.14 db.factory.local"; do
  grep -qxF "$line" <<<"$hosts" || fail "/etc/hosts lacks '$line': $hosts"
done
[[ "$(podman exec "$CONTAINER" getent hosts db.factory.local | awk '{print $1}')" == 10.11.12.14 ]] \
  || fail "db.factory.local does not resolve to 10.11.12.14 inside the container"
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
echo "hosts (the store reached by its HOSTS name), overlay, hooks, config: ok; JVM is PID 1 as uid 10001 with the AppCDS archive mapped"

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

step "an arbitrary uid (as YMIR runs executors), read-only root filesystem, the model on a read-only mount"
uid_port=$(free_port)
podman rm -f "$UID_CONTAINER" >/dev/null 2>&1 || true
podman run -d --name "$UID_CONTAINER" --network=host --health-interval=disable --memory=3g \
  --user 4242:4242 --read-only --tmpfs /tmp -v "$FIXTURE_DIR:/in/models/epoch_50:ro" \
  -e PORT="$uid_port" -e GRPC_PORT="$(free_port)" -e MODEL_PATH=/in/models/epoch_50/model.onnx "$IMAGE" >/dev/null
wait_ready "http://127.0.0.1:$uid_port" "$UID_CONTAINER"
mkdir -p "$WORK/uid"
check_predict "http://127.0.0.1:$uid_port" "$WORK/uid"
[[ "$(podman exec "$UID_CONTAINER" stat -c %u /proc/1)" == 4242 ]] || fail "the JVM does not run as the given uid 4242"
podman rm -f "$UID_CONTAINER" >/dev/null
echo "uid 4242 without a passwd entry: served from a read-only root, writing only /tmp"

if [[ "$RUN_YMIR_CHECK" == 1 ]]; then
  step "YMIR executor mode: /in read-only, /out writable, a non-root uid, no command (ymir-test.sh)"
  CI_ELAPSED=$((SECONDS - ci_started)) bash "$DEPLOY_DIR/ci/ymir-test.sh" "$IMAGE"
else
  step "YMIR executor run skipped (RUN_YMIR_CHECK=0)"
fi

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

step "registry: build-image.sh --push with credentials, pull back by digest, run (registry-test.sh)"
CI_ELAPSED=$((SECONDS - ci_started)) bash "$DEPLOY_DIR/ci/registry-test.sh" --skip-maven

step "an ONNX-only image (--engines onnx): at most half the size of the image with every engine"
LEAN_IMAGE=localhost/model-runtime:ci-onnx
"$DEPLOY_DIR/build-image.sh" --variant cpu --engines onnx --skip-maven --tag "$LEAN_IMAGE" --builder podman \
  --base-image "$BASE_TAG" --builder-arg --network=host "$DEPLOY_DIR/samples/tiny-cnn"
full_size=$(podman image inspect "$IMAGE" --format '{{.Size}}')
lean_size=$(podman image inspect "$LEAN_IMAGE" --format '{{.Size}}')
echo "image sizes: every engine $((full_size / 1000000)) MB, ONNX Runtime only $((lean_size / 1000000)) MB"
((lean_size * 2 <= full_size)) || fail "the ONNX-only image is more than half the size of the full one"
lean_port=$(free_port)
podman rm -f "$UID_CONTAINER" >/dev/null 2>&1 || true
podman run -d --name "$UID_CONTAINER" --network=host --health-interval=disable --memory=3g --read-only --tmpfs /tmp \
  -v "$FIXTURE_DIR:/in/model:ro" -e PORT="$lean_port" -e GRPC_PORT="$(free_port)" -e MODEL_PATH=/in/model/model.onnx \
  "$LEAN_IMAGE" >/dev/null
wait_ready "http://127.0.0.1:$lean_port" "$UID_CONTAINER"
mkdir -p "$WORK/lean"
check_predict "http://127.0.0.1:$lean_port" "$WORK/lean"
podman rm -f "$UID_CONTAINER" >/dev/null
# Models of the left-out engines are refused naming what is missing (a frozen GraphDef is recognised without
# TensorFlow's classes, not a crash of the format detection).
for left_out in torchscript/tiny_cnn_traced:torchscript tf_frozen:tf_frozen_graph; do
  set +e
  out=$(podman run --rm --network=host --health-interval=disable -e PORT="$(free_port)" -e GRPC_PORT="$(free_port)" \
    -v "$REPO_DIR/model-loaders/src/test/fixtures/${left_out%%:*}:/in/model:ro" -e MODEL_PATH=/in/model \
    "$LEAN_IMAGE" 2>&1)
  rc=$?
  set -e
  [[ $rc != 0 && "$out" == *"no engine in this build serves format ${left_out##*:}"* ]] \
    || fail "a ${left_out##*:} model on the ONNX-only image: rc $rc, output: $(tail -n 3 <<<"$out")"
  echo "a ${left_out##*:} model is refused: ${out##*could not be loaded: }" | head -c 200; echo
done
podman rmi -f "$LEAN_IMAGE" >/dev/null 2>&1 || true

step "GPU variant: the Dockerfile builds up to its CUDA base image, which needs a registry"
"$DEPLOY_DIR/build-image.sh" --variant gpu --skip-maven --context-only "$WORK/gpu-context" --model "$FIXTURE_DIR/model.onnx" \
  "$DEPLOY_DIR/samples/tiny-cnn"
grep -qx 'gpu_count: 1' "$WORK/gpu-context/ymir/img-man/det/infer-template.yaml" \
  || fail "the GPU variant's infer template does not ask YMIR for a GPU"
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

step "done in $((SECONDS - ci_started)) s"
