#!/usr/bin/env bash
# Builds the model runtime image from a factory delivery folder with whichever OCI builder is installed
# (docker with a running daemon, podman or buildah), or only writes the build context.
#
#   deploy/build-image.sh [options] [DELIVERY_FOLDER]
#     --variant cpu|gpu        image variant (default cpu)
#     --engines LIST           the engines the image carries, comma-separated from onnx, pytorch, tensorflow
#                              (also Keras H5), pmml; default all. ONNX Runtime is always in (the bundled
#                              default model). An ONNX model's CPU image: 449 MB instead of 1,882 (TensorFlow's
#                              natives alone are 652 MiB, libtorch's 432); a model of a left-out engine is
#                              refused at start naming it.
#     --tag NAME[:TAG]         image name (default model-runtime:<variant>)
#     --push REGISTRY          after building, tag as REGISTRY/NAME[:TAG], push it and print its digest
#                              (REGISTRY: host[:port][/namespace], e.g. registry.example.com/factory)
#     --registry-user USER     log in to the registry as USER before building (default: $REGISTRY_USER)
#     --password-stdin         read the registry password from stdin (else $REGISTRY_PASSWORD); a password
#                              is never taken as an argument, logged, or kept in the builder's login store
#     --insecure-registry      plain HTTP (or unverified TLS) to the registry: podman/buildah --tls-verify=false;
#                              docker decides in its daemon (loopback registries are allowed by default)
#     --digest-file FILE       also write the pushed digest (sha256:...) to FILE
#     --no-build               push the image already built as --tag (with --push), build nothing
#     --context-only DIR       write the build context to DIR and stop (no builder needed)
#     --base-image IMAGE       override the variant's base image
#     --model PATH             bake this model file, folder or archive (instead of one in the delivery folder)
#     --builder docker|podman|buildah   pick the builder instead of detecting it
#     --builder-arg ARG        extra argument for the builder's build command (repeatable), e.g. --network=host
#     --skip-maven             use the jars already built (server/target, deploy/target) as they are
#
# The delivery folder follows the factory's conventions (shared LEGACY.md section 2): either
# model_resource/ and system/ side by side, or model_resource's files directly in the folder.
#   model-config.yaml        -> the runtime's config (MODEL_CONFIG)
#   image-build-start.sh     -> run as root at the start of the image build
#   image-build-end.sh       -> run as root at the end of the image build
#   system/                  -> laid over the image's root filesystem
#   model/ or model.<ext>    -> baked into /models (MODEL_PATH); ext: onnx pt pth torchscript h5 keras pb
#                               tflite pmml zip tar tar.gz tgz. Without one, the model comes from the store.
#   environment.yml, code/, _entry_point.sh -> reported as not applicable (Python-service concepts)
#
# Pushing mirrors UAI packdocker's user / password / registry / name:tag:
#   REGISTRY_USER=ci REGISTRY_PASSWORD=... deploy/build-image.sh --tag factory/tiny-cnn:1 --push registry.example.com DIR
#   deploy/build-image.sh --registry-user ci --password-stdin --tag factory/tiny-cnn:1 --push registry.example.com DIR <pw
# Without credentials the builder's own login is used (podman login / docker login beforehand).
set -euo pipefail
# A signal ends the script through its EXIT trap, so a build stopped midway (a CI job cancelled) still
# removes its temporary login store and build context (an interrupted push left /tmp/model-runtime-login.*).
trap 'exit 143' TERM HUP
trap 'exit 130' INT

DEPLOY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$DEPLOY_DIR/.." && pwd)
CPU_BASE=docker.io/library/eclipse-temurin:17-jre-jammy
GPU_BASE=docker.io/nvidia/cuda:12.6.3-cudnn-runtime-ubuntu22.04
GPU_TORCH_FLAVOR=cu126

engines=all variant=cpu tag="" push="" context_only="" base_image="" model="" builder="" skip_maven=false delivery=""
registry_user=${REGISTRY_USER:-} password_stdin=false insecure_registry=false digest_file="" no_build=false
builder_args=()
# The password only lives in this shell's memory: children (maven, the builder) do not inherit it.
registry_password=${REGISTRY_PASSWORD:-}
unset REGISTRY_PASSWORD

die() { echo "build-image: $*" >&2; exit 2; }
note() { echo "build-image: $*" >&2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --variant) variant=${2:?--variant needs cpu or gpu}; shift 2 ;;
    --engines) engines=${2:?--engines needs a list, e.g. onnx,pmml}; shift 2 ;;
    --tag) tag=${2:?--tag needs a name}; shift 2 ;;
    --push) push=${2:?--push needs a registry}; shift 2 ;;
    --context-only) context_only=${2:?--context-only needs a folder}; shift 2 ;;
    --base-image) base_image=${2:?--base-image needs an image}; shift 2 ;;
    --model) model=${2:?--model needs a path}; shift 2 ;;
    --builder) builder=${2:?--builder needs docker, podman or buildah}; shift 2 ;;
    --builder-arg) builder_args+=("${2:?--builder-arg needs a value}"); shift 2 ;;
    --skip-maven) skip_maven=true; shift ;;
    --registry-user) registry_user=${2:?--registry-user needs a name}; shift 2 ;;
    --password-stdin) password_stdin=true; shift ;;
    --password|--password=*|--registry-password|--registry-password=*)
      die "$1: a password is never an argument (it would show in the process list); use REGISTRY_PASSWORD or --password-stdin" ;;
    --insecure-registry) insecure_registry=true; shift ;;
    --digest-file) digest_file=${2:?--digest-file needs a path}; shift 2 ;;
    --no-build) no_build=true; shift ;;
    -h|--help) sed -n '2,/^set -e/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) [[ -z "$delivery" ]] || die "only one delivery folder, got '$delivery' and '$1'"; delivery=$1; shift ;;
  esac
done

case "$variant" in
  cpu) : "${base_image:=$CPU_BASE}"; maven_flags=() ;;
  gpu) : "${base_image:=$GPU_BASE}"; maven_flags=(-Dgpu) ;;
  *) die "--variant must be cpu or gpu, not '$variant'" ;;
esac
# Jars of each engine's libraries, left out of the image when the engine is not wanted.
declare -A engine_jars=([pytorch]='api-[0-9]*|pytorch-*' [tensorflow]='tensorflow-*|javacpp-*|ndarray-*'
  [pmml]='pmml4s_*|scala-library-*|scala-xml_*|spray-json_*')
left_out=()
if [[ "$engines" != all ]]; then
  IFS=',' read -r -a wanted <<<"$engines"
  for e in "${wanted[@]}"; do
    [[ "$e" == onnx || -n "${engine_jars[$e]:-}" ]] || die "--engines: unknown engine '$e' (onnx, pytorch, tensorflow, pmml)"
  done
  for e in "${!engine_jars[@]}"; do
    [[ ",$engines," == *",$e,"* ]] || left_out+=("$e")
  done
fi
: "${tag:=model-runtime:$variant}"
[[ -z "$delivery" || -d "$delivery" ]] || die "delivery folder '$delivery' does not exist"
if [[ -n "$push" && -n "$context_only" ]]; then die "--push and --context-only exclude each other"; fi
if [[ "$no_build" == true && -z "$push" ]]; then die "--no-build only makes sense with --push"; fi
if [[ "$password_stdin" == true ]]; then
  [[ -n "$push" ]] || die "--password-stdin needs --push"
  IFS= read -r registry_password || [[ -n "$registry_password" ]] || die "--password-stdin: nothing on stdin"
fi
if [[ -n "$registry_password" && -z "$registry_user" ]]; then die "a registry password needs a user (REGISTRY_USER or --registry-user)"; fi
if [[ -n "$registry_user" && -n "$push" && -z "$registry_password" ]]; then
  die "registry user '$registry_user' without a password: set REGISTRY_PASSWORD or pipe it to --password-stdin"
fi

# --- builder and registry login (before the long build: bad credentials fail in a second) -----------
detect_builder() {
  if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then echo docker
  elif command -v podman >/dev/null 2>&1; then echo podman
  elif command -v buildah >/dev/null 2>&1; then echo buildah
  else die "no OCI builder: install docker (with a running daemon), podman or buildah, or use --context-only"
  fi
}
tls_args=()
registry_host=${push%%/*}
login_dir=""
# Runs the builder with the throwaway login store when this script logged in (only login and push see
# it, so the build still pulls its base image with the user's own logins).
with_login() {
  if [[ -z "$login_dir" ]]; then "$@"
  elif [[ "$builder" == docker ]]; then DOCKER_CONFIG="$login_dir" "$@"
  else REGISTRY_AUTH_FILE="$login_dir/auth.json" "$@"
  fi
}
registry_login() {
  # A throwaway login store, removed on exit: the credentials are not left in ~/.docker or auth.json.
  login_dir=$(mktemp -d "${TMPDIR:-/tmp}/model-runtime-login.XXXXXX")
  chmod 0700 "$login_dir"
  note "logging in to $registry_host as $registry_user"
  # printf is a shell builtin: the password reaches the builder on a pipe, never on a command line.
  printf '%s' "$registry_password" \
    | with_login "$builder" login "${tls_args[@]}" --username "$registry_user" --password-stdin "$registry_host" >&2 \
    || die "login to $registry_host as $registry_user failed"
  registry_password=""
}
cleanup_login() { if [[ -n "$login_dir" ]]; then rm -rf "$login_dir"; fi; }
if [[ -n "$push" ]]; then
  [[ -n "$builder" ]] || builder=$(detect_builder)
  case "$builder" in docker|podman|buildah) ;; *) die "--builder must be docker, podman or buildah" ;; esac
  if [[ "$insecure_registry" == true && "$builder" != docker ]]; then tls_args=(--tls-verify=false); fi
  if [[ -n "$registry_user" ]]; then
    trap cleanup_login EXIT
    registry_login
  fi
fi
if [[ "$no_build" == true ]]; then skip_maven=true; fi

# --- jars -----------------------------------------------------------------------------------------------
if [[ "$skip_maven" == false ]]; then
  note "building the runtime jars for the $variant variant (mvn ${maven_flags[*]} ${MVN_FLAGS:-})"
  # shellcheck disable=SC2086
  (cd "$REPO_DIR" && mvn -B -q ${MVN_FLAGS:-} "${maven_flags[@]}" -DskipTests -pl server,deploy -am package)
fi
# (Overridable so tests can point at other build output.)
server_target=${MODEL_RUNTIME_SERVER_TARGET:-$REPO_DIR/server/target}
server_jar="$server_target/model-server.jar"
warmup_jar=${MODEL_RUNTIME_WARMUP_JAR:-$REPO_DIR/deploy/target/model-runtime-deploy.jar}
# REGISTRY/NAME[:TAG] without its tag (a registry's :port is not a tag).
repository_of() {
  if [[ "${1##*/}" == *:* ]]; then echo "${1%:*}"; else echo "$1"; fi
}
# Tags and pushes --tag as REGISTRY/NAME[:TAG]; prints REGISTRY/NAME@DIGEST on stdout (its only output there).
push_image() {
  local remote="${push%/}/$tag" repository digest="" file
  repository=$(repository_of "$remote")
  file=$(mktemp "${TMPDIR:-/tmp}/model-runtime-digest.XXXXXX")
  note "pushing $remote"
  case "$builder" in
    docker)
      docker tag "$tag" "$remote"
      with_login docker push "$remote" >&2
      digest=$(docker image inspect --format '{{range .RepoDigests}}{{println .}}{{end}}' "$remote" \
               | sed -n "s#^$repository@##p" | head -n 1) ;;
    podman|buildah)
      "$builder" tag "$tag" "$remote"
      with_login "$builder" push "${tls_args[@]}" --digestfile "$file" "$remote" >&2
      digest=$(cat "$file") ;;
  esac
  rm -f "$file"
  [[ "$digest" == sha256:* ]] || die "pushed $remote but could not read its digest"
  if [[ -n "$digest_file" ]]; then printf '%s\n' "$digest" >"$digest_file"; fi
  note "pushed $remote, digest $digest"
  echo "$repository@$digest"
}
if [[ "$no_build" == true ]]; then
  push_image
  exit 0
fi

[[ -f "$server_jar" && -d "$server_target/lib" ]] \
  || die "$server_jar and $server_target/lib are missing: build them (mvn -B package -DskipTests) or drop --skip-maven"
[[ -f "$warmup_jar" ]] || die "$warmup_jar is missing: mvn -B package -DskipTests -pl deploy -am"

# --- context --------------------------------------------------------------------------------------------
if [[ -n "$context_only" ]]; then
  ctx=$context_only
  mkdir -p "$ctx"
  [[ -z "$(ls -A "$ctx")" ]] || die "context folder '$ctx' is not empty"
else
  ctx=$(mktemp -d "${TMPDIR:-/tmp}/model-runtime-context.XXXXXX")
  trap 'rm -rf "$ctx"; cleanup_login' EXIT
fi
mkdir -p "$ctx"/{deps/lib,app/lib,app/bin,tools,ymir/img-man,delivery/hooks,delivery/config,delivery/system,delivery/model}
cp "$DEPLOY_DIR/image/Dockerfile" "$ctx/Dockerfile"
# YMIR executor files; the GPU variant's infer template asks the platform for one GPU.
cp -r "$DEPLOY_DIR/image/img-man/." "$ctx/ymir/img-man/"
cp "$DEPLOY_DIR/image/start.sh" "$ctx/ymir/start.sh"
find "$ctx/ymir/img-man" -type d -exec chmod 0755 {} + && find "$ctx/ymir/img-man" -type f -exec chmod 0644 {} +
chmod 0755 "$ctx/ymir/start.sh"
if [[ "$variant" == gpu ]]; then
  find "$ctx/ymir/img-man" -name '*-template.yaml' -exec sed -i 's/^gpu_count: 0$/gpu_count: 1/' {} +
fi
cp "$DEPLOY_DIR/image/entrypoint.sh" "$DEPLOY_DIR/image/healthcheck.sh" "$ctx/app/bin/"
# The launcher (JVM settings) and the class-data training the image build runs: the server's own scripts.
cp "$DEPLOY_DIR/../server/bin/model-server" "$DEPLOY_DIR/../server/bin/cds-archive" "$ctx/app/bin/"
chmod 0755 "$ctx"/app/bin/*
cp "$server_jar" "$ctx/app/"
cp "$warmup_jar" "$ctx/tools/"
# Our own jars change with every commit; third-party jars rarely. Separate layers keep pulls small.
# Only the jars the server's manifest names: a lib/ folder may hold stale jars of another variant.
classpath_of() {
  local tmp line joined=""
  tmp=$(mktemp -d)
  (cd "$tmp" && jar xf "$1" META-INF/MANIFEST.MF)
  # Manifest lines wrap at 72 bytes; a continuation line starts with one space.
  while IFS= read -r line || [[ -n "$line" ]]; do
    line=${line%$'\r'}
    if [[ "$line" == " "* ]]; then joined+="${line:1}"; else joined+=$'\n'"$line"; fi
  done <"$tmp/META-INF/MANIFEST.MF"
  rm -rf "$tmp"
  sed -n 's/^Class-Path: //p' <<<"$joined" | tr ' ' '\n' | sed -n 's#^lib/##p'
}
command -v jar >/dev/null 2>&1 || die "the JDK's jar tool is needed to read $server_jar's manifest"
mapfile -t classpath < <(classpath_of "$server_jar")
[[ ${#classpath[@]} -gt 0 ]] || die "$server_jar has no Class-Path with lib/ entries in its manifest"
engine_left_out() {
  local e p pats
  for e in "${left_out[@]}"; do
    IFS='|' read -r -a pats <<<"${engine_jars[$e]}"
    for p in "${pats[@]}"; do
      # shellcheck disable=SC2053 # $p is a glob
      [[ "$1" == $p ]] && return 0
    done
  done
  return 1
}
((${#left_out[@]} == 0)) || note "engines left out: ${left_out[*]}"
for name in "${classpath[@]}"; do
  jar="$server_target/lib/$name"
  [[ -f "$jar" ]] || die "$jar (named in the server's manifest) is missing"
  if engine_left_out "$name"; then continue; fi
  case "$name" in
    model-loaders-*.jar|server-*.jar|deploy-*.jar|benchmarks-*.jar) cp "$jar" "$ctx/app/lib/" ;;
    *) cp "$jar" "$ctx/deps/lib/" ;;
  esac
done
{
  echo "# Defaults of the $variant variant; the container's environment overrides them."
  if [[ "$variant" == gpu ]]; then
    echo "PYTORCH_FLAVOR=$GPU_TORCH_FLAVOR"
    echo "PYTORCH_VERSION=2.7.1"
  fi
} >"$ctx/app/runtime.env"

# --- delivery folder ------------------------------------------------------------------------------------
env_file="$ctx/delivery/config/delivery.env"
echo "# From the delivery folder; the container's environment overrides these." >"$env_file"
not_applicable=()
res="" system_dir=""
if [[ -n "$delivery" ]]; then
  if [[ -d "$delivery/model_resource" ]]; then res="$delivery/model_resource"; else res="$delivery"; fi
  if [[ -d "$delivery/system" ]]; then system_dir="$delivery/system"
  elif [[ -d "$res/system" ]]; then system_dir="$res/system"; fi

  if [[ -f "$res/model-config.yaml" ]]; then
    cp "$res/model-config.yaml" "$ctx/delivery/config/model-config.yaml"
    echo "MODEL_CONFIG=/opt/model-runtime/config/model-config.yaml" >>"$env_file"
    note "model-config.yaml -> /opt/model-runtime/config/model-config.yaml (MODEL_CONFIG)"
  fi
  for hook in image-build-start.sh image-build-end.sh; do
    if [[ -f "$res/$hook" ]]; then
      cp "$res/$hook" "$ctx/delivery/hooks/$hook"
      note "$hook -> runs at the $( [[ $hook == *start* ]] && echo start || echo end ) of the image build"
    fi
  done
  if [[ -n "$system_dir" ]]; then
    cp -a "$system_dir/." "$ctx/delivery/system/"
    note "system/ -> laid over the image root ($(find "$system_dir" -type f | wc -l) files)"
  fi
  if [[ -z "$model" ]]; then
    for candidate in "$res"/model "$res"/model.*; do
      [[ -e "$candidate" ]] || continue
      case "$(basename "$candidate")" in
        model|model.onnx|model.pt|model.pth|model.torchscript|model.h5|model.keras|model.pb|model.tflite|model.pmml|\
        model.zip|model.tar|model.tar.gz|model.tgz) model=$candidate; break ;;
      esac
    done
  fi
  [[ -e "$res/environment.yml" ]] && not_applicable+=("environment.yml: conda packages are a Python-service concept; the Java runtime brings its engines and ignores it")
  [[ -e "$res/code" ]] && not_applicable+=("code/: the runtime serves the model itself, no project code runs in the image; ignored")
  [[ -e "$res/_entry_point.sh" ]] && not_applicable+=("_entry_point.sh: the image's own entrypoint starts the runtime; ignored")
fi
if [[ -n "$model" ]]; then
  [[ -e "$model" ]] || die "model '$model' does not exist"
  name=$(basename "$model")
  cp -a "$model" "$ctx/delivery/model/$name"
  echo "MODEL_PATH=/models/$name" >>"$env_file"
  note "model $name -> baked into /models/$name (MODEL_PATH)"
else
  note "no model baked in: the container takes MODEL_PATH or the model store (XQUERY_ADDR, MODEL_ID, MODEL_VERSION, GUID)"
fi
if [[ ${#not_applicable[@]} -gt 0 ]]; then
  printf '%s\n' "${not_applicable[@]}" >"$ctx/delivery/NOT_APPLICABLE.txt"
  for line in "${not_applicable[@]}"; do note "not applicable: $line"; done
fi

build_args=(--build-arg "BASE_IMAGE=$base_image")
if [[ "$variant" == gpu ]]; then
  # No GPU (or driver) at build time: CUDA libraries may refuse to load although they are in place.
  build_args+=(--build-arg WARMUP_DEVICE=cuda --build-arg WARMUP_FLAGS=--lenient
               --build-arg DJL_OFFLINE=false --build-arg "PYTORCH_FLAVOR=$GPU_TORCH_FLAVOR")
fi
printf '%q ' "${build_args[@]}" >"$ctx/build-args"

if [[ -n "$context_only" ]]; then
  note "build context written to $ctx (build args in $ctx/build-args)"
  exit 0
fi

# --- build ----------------------------------------------------------------------------------------------
[[ -n "$builder" ]] || builder=$(detect_builder)
note "building $tag with $builder from $base_image"
case "$builder" in
  docker) docker build "${build_args[@]}" "${builder_args[@]}" -t "$tag" "$ctx" ;;
  # --format docker keeps HEALTHCHECK (the OCI image format has no field for it).
  podman) podman build --format docker --layers "${build_args[@]}" "${builder_args[@]}" -t "$tag" "$ctx" ;;
  buildah) buildah bud --format docker --layers "${build_args[@]}" "${builder_args[@]}" -t "$tag" "$ctx" ;;
  *) die "--builder must be docker, podman or buildah" ;;
esac

note "built $tag"
if [[ -n "$push" ]]; then push_image; fi
