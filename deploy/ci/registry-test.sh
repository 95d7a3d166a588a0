#!/usr/bin/env bash
# CI proof of `deploy/build-image.sh --push` against a real registry (run by image-test.sh; needs root):
#   1. starts Debian's docker-registry (the CNCF distribution registry) on 127.0.0.1 on a free port, plain
#      HTTP, htpasswd auth (bcrypt, htpasswd -B) for a user with a random password;
#   2. builds the CPU image with the tiny_cnn fixture baked in and pushes it with build-image.sh, the
#      password on stdin (--password-stdin); pushes again with REGISTRY_USER/REGISTRY_PASSWORD in the
#      environment (--no-build); a wrong password is refused;
#   3. while it runs, samples every process's argv: the password must never appear there, nor in any
#      output or the registry's log, nor stay in a login store;
#   4. deletes the local image, pulls it back BY DIGEST into empty container storage, runs it with no
#      model settings at all (the baked model: what the store run in image-test.sh cannot show) and checks
#      /predict against the fixture's reference.
#   deploy/ci/registry-test.sh [--skip-maven]     (--skip-maven: the jars are built already)
# Host networking only (--network=host), as in image-test.sh.
set -euo pipefail
export CI=true

DEPLOY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_DIR=$(cd "$DEPLOY_DIR/.." && pwd)
CI_NAME=registry-test
BASE_TAG=${BASE_TAG:-localhost/model-runtime-base:bookworm-jre17-turbojpeg}
NAME_TAG=model-factory/tiny-cnn:ci-baked
CONTAINER=model-runtime-ci-pulled
WORK=$(mktemp -d "${TMPDIR:-/tmp}/registry-test.XXXXXX")
PULL_STORAGE=(podman --root "$WORK/pull-storage" --runroot "$WORK/pull-run")
skip_maven=()
[[ "${1:-}" == --skip-maven ]] && skip_maven=(--skip-maven)
REGISTRY_PID="" WATCH_PID=""
# shellcheck source=lib.sh
source "$DEPLOY_DIR/ci/lib.sh"
# shellcheck source=podman-env.sh
source "$DEPLOY_DIR/ci/podman-env.sh"

cleanup() {
  if "${PULL_STORAGE[@]}" container exists "$CONTAINER" 2>/dev/null; then
    "${PULL_STORAGE[@]}" logs "$CONTAINER" 2>&1 | tail -n 30 || true
    "${PULL_STORAGE[@]}" rm -f "$CONTAINER" >/dev/null 2>&1 || true
  fi
  if [[ -d "$WORK/pull-storage" ]]; then "${PULL_STORAGE[@]}" rmi -af >/dev/null 2>&1 || true; fi
  touch "$WORK/argv-watch.stop" 2>/dev/null || true
  if [[ -n "$WATCH_PID" ]]; then wait "$WATCH_PID" 2>/dev/null || true; fi
  if [[ -n "$REGISTRY_PID" ]]; then kill "$REGISTRY_PID" 2>/dev/null || true; wait "$REGISTRY_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

[[ $(id -u) == 0 ]] || fail "needs root (rootful podman)"
for tool in podman docker-registry htpasswd curl python3; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is missing (apt-get install podman docker-registry apache2-utils curl python3)"
done
BASE_TAG=$BASE_TAG "$DEPLOY_DIR/ci/base-image.sh" >/dev/null

# Samples the argv of every process until STOP exists; a process whose argv holds the secret is
# recorded in HITS (by pid and program, never the argv itself). Also notes which podman subcommands it
# saw, to prove it was looking while the credential was in use.
watch_argv() {
  local secret=$1 hits=$2 stop=$3 seen=$4 f arg samples=0
  local -a argv
  while [[ ! -e "$stop" ]]; do
    for f in /proc/[0-9]*/cmdline; do
      mapfile -d '' -t argv 2>/dev/null <"$f" || continue
      [[ ${#argv[@]} -gt 0 ]] || continue
      for arg in "${argv[@]}"; do
        if [[ "$arg" == *"$secret"* ]]; then echo "${f%/cmdline} ${argv[0]##*/}" >>"$hits"; fi
      done
      if [[ "${argv[0]##*/}" == podman ]]; then echo "podman ${argv[*]:1:1}" >>"$seen"; fi
    done
    samples=$((samples + 1))
    sleep 0.05
  done
  echo "$samples" >"$seen.samples"
}

step "registry: docker-registry on 127.0.0.1 with htpasswd (bcrypt) auth, plain HTTP"
registry_user=ci-pusher
# A fresh random password per run; it is only ever in this shell's memory, on pipes and (hashed) on disk.
registry_password="pw-$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
printf '%s' "$registry_password" | htpasswd -B -i -c "$WORK/htpasswd" "$registry_user" 2>/dev/null
[[ "$(cat "$WORK/htpasswd")" == "$registry_user:\$2y\$"* ]] || fail "htpasswd did not write a bcrypt entry"
registry_port=$(free_port)
registry="127.0.0.1:$registry_port"
cat >"$WORK/registry.yml" <<YML
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $WORK/registry
  delete:
    enabled: true
http:
  addr: $registry
  secret: $(head -c 16 /dev/urandom | base64 | tr -d '/+=')
auth:
  htpasswd:
    realm: model-runtime-ci
    path: $WORK/htpasswd
YML
docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 &
REGISTRY_PID=$!
status=""
for _ in $(seq 1 100); do
  status=$(curl -s -o /dev/null -w '%{http_code}' "http://$registry/v2/" 2>/dev/null || true)
  [[ "$status" == 401 ]] && break
  kill -0 "$REGISTRY_PID" 2>/dev/null || { cat "$WORK/registry.log" >&2; fail "docker-registry exited"; }
  sleep 0.1
done
[[ "$status" == 401 ]] || fail "the registry did not answer 401 (auth required) on http://$registry/v2/ (got '$status')"
echo "registry on http://$registry: anonymous access refused (401), user $registry_user"

: >"$WORK/argv-hits"
: >"$WORK/argv-seen"
watch_argv "$registry_password" "$WORK/argv-hits" "$WORK/argv-watch.stop" "$WORK/argv-seen" &
WATCH_PID=$!

step "build-image.sh --push $registry (tiny_cnn baked in), user $registry_user, password on stdin"
printf '%s\n' "$registry_password" | "$DEPLOY_DIR/build-image.sh" --variant cpu --tag "$NAME_TAG" --builder podman \
  --base-image "$BASE_TAG" --builder-arg --network=host "${skip_maven[@]}" --model "$FIXTURE_DIR/model.onnx" \
  --push "$registry" --insecure-registry --registry-user "$registry_user" --password-stdin \
  --digest-file "$WORK/digest" "$DEPLOY_DIR/samples/tiny-cnn" >"$WORK/push.log" 2>&1 \
  || { tail -n 30 "$WORK/push.log"; fail "build-image.sh --push failed"; }
grep -E '^build-image: (logging in|pushing|pushed)|^Login Succeeded' "$WORK/push.log"
digest=$(cat "$WORK/digest")
[[ "$digest" =~ ^sha256:[0-9a-f]{64}$ ]] || fail "no digest from build-image.sh: '$digest'"
[[ "$(tail -n 1 "$WORK/push.log")" == "$registry/${NAME_TAG%:*}@$digest" ]] \
  || fail "build-image.sh did not print $registry/${NAME_TAG%:*}@$digest last: $(tail -n 1 "$WORK/push.log")"
du -sb "$WORK/registry" | awk '{printf "the registry holds %.0f MB (compressed layers, config, manifest)\n", $1/1e6}'

step "again with REGISTRY_USER and REGISTRY_PASSWORD from the environment (--no-build); a wrong password is refused"
REGISTRY_USER=$registry_user REGISTRY_PASSWORD=$registry_password "$DEPLOY_DIR/build-image.sh" --no-build --builder podman \
  --tag "$NAME_TAG" --push "$registry" --insecure-registry >"$WORK/push-env.log" 2>&1 \
  || { tail -n 20 "$WORK/push-env.log"; fail "build-image.sh --no-build --push with environment credentials failed"; }
[[ "$(tail -n 1 "$WORK/push-env.log")" == "$registry/${NAME_TAG%:*}@$digest" ]] \
  || fail "the second push reports another digest: $(tail -n 1 "$WORK/push-env.log")"
set +e
REGISTRY_USER=$registry_user REGISTRY_PASSWORD="wrong-$RANDOM" "$DEPLOY_DIR/build-image.sh" --no-build --builder podman \
  --tag "$NAME_TAG" --push "$registry" --insecure-registry >"$WORK/push-wrong.log" 2>&1
rc=$?
set -e
[[ $rc != 0 ]] && grep -q "login to $registry as $registry_user failed" "$WORK/push-wrong.log" \
  || { cat "$WORK/push-wrong.log"; fail "a wrong password was not refused (rc $rc)"; }
echo "environment credentials: same digest; wrong password: refused (rc $rc)"

step "delete the local image; pull it back by digest into empty storage"
podman rmi "localhost/$NAME_TAG" "$registry/$NAME_TAG" >/dev/null
podman image exists "localhost/$NAME_TAG" && fail "the local image is still there"
# The CI's own login, in its own throwaway store, password on a pipe.
printf '%s' "$registry_password" | REGISTRY_AUTH_FILE="$WORK/ci-auth.json" podman login --tls-verify=false \
  --username "$registry_user" --password-stdin "$registry" >/dev/null
if REGISTRY_AUTH_FILE=/dev/null "${PULL_STORAGE[@]}" pull -q --tls-verify=false "$registry/${NAME_TAG%:*}@$digest" >/dev/null 2>&1; then
  fail "an anonymous pull succeeded: the registry does not require credentials"
fi
REGISTRY_AUTH_FILE="$WORK/ci-auth.json" "${PULL_STORAGE[@]}" pull -q --tls-verify=false "$registry/${NAME_TAG%:*}@$digest" >/dev/null
"${PULL_STORAGE[@]}" images --digests --format '{{.Repository}}@{{.Digest}} {{.Size}}'
[[ "$("${PULL_STORAGE[@]}" images --digests --format '{{.Digest}}')" == "$digest" ]] || fail "the pulled image has another digest"
touch "$WORK/argv-watch.stop"
wait "$WATCH_PID"
WATCH_PID=""

step "run the pulled image (no model settings: the baked model) and /predict"
port=$(free_port)
"${PULL_STORAGE[@]}" run -d --name "$CONTAINER" --network=host --health-interval=disable --memory=3g -e PORT="$port" \
  -e GRPC_PORT="$(free_port)" "$registry/${NAME_TAG%:*}@$digest" >/dev/null
wait_ready "http://127.0.0.1:$port" "$CONTAINER" "${PULL_STORAGE[@]}"
check_predict "http://127.0.0.1:$port" "$WORK"
"${PULL_STORAGE[@]}" logs "$CONTAINER" >"$WORK/pulled.log" 2>&1
grep -q 'model from /models/model.onnx' "$WORK/pulled.log" || { tail -n 20 "$WORK/pulled.log"; fail "the pulled image did not serve its baked /models/model.onnx"; }
echo "served the baked /models/model.onnx (MODEL_PATH from the delivery's defaults)"
"${PULL_STORAGE[@]}" rm -f "$CONTAINER" >/dev/null

step "the password never appeared in argv, output, logs or a login store"
samples=$(cat "$WORK/argv-seen.samples")
pushes=$(grep -c '^podman push$' "$WORK/argv-seen" || true)
if [[ -s "$WORK/argv-hits" ]]; then sort -u "$WORK/argv-hits"; fail "the password appeared in the argv of the processes above"; fi
[[ "$pushes" -gt 0 ]] || fail "the argv sampler never saw 'podman push' running ($samples samples): it proved nothing"
echo "argv: $samples samples of every process, 'podman push' seen in $pushes, the password in none"
for f in "$WORK/push.log" "$WORK/push-env.log" "$WORK/push-wrong.log" "$WORK/registry.log" "$WORK/pulled.log"; do
  if grep -F -q -f <(printf '%s\n' "$registry_password") "$f"; then fail "the password appears in $(basename "$f")"; fi
done
echo "outputs: build-image.sh (3 runs), the registry's log and the container's log hold no password"
# build-image.sh logs in to a throwaway store and removes it; nothing may remain in podman's default one.
for auth in "${XDG_RUNTIME_DIR:-/run/user/0}/containers/auth.json" /run/containers/0/auth.json "$HOME/.config/containers/auth.json" "$HOME/.docker/config.json"; do
  if [[ -f "$auth" ]] && grep -q "$registry" "$auth"; then fail "$auth keeps a login for $registry"; fi
done
if compgen -G "${TMPDIR:-/tmp}/model-runtime-login.*" >/dev/null; then fail "build-image.sh left its login store behind: $(compgen -G "${TMPDIR:-/tmp}/model-runtime-login.*")"; fi
echo "login stores: none left behind"
