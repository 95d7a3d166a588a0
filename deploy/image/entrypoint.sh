#!/usr/bin/env bash
# Container entrypoint of the model runtime image.
#  1. HOSTS="ip<->hostname,ip<->hostname" entries are appended to /etc/hosts as "ip hostname", like the
#     legacy run.sh, so the container resolves the model store; a malformed entry stops the start with a
#     message (nothing is written unless every entry is valid).
#  2. Image defaults (runtime.env from the variant, delivery.env from the delivery folder) fill in
#     settings the operator did not set; the operator's environment always wins.
#  3. Started as root (the default, so /etc/hosts is writable), it drops to the unprivileged runtime
#     user with setpriv; started as any other uid already (Kubernetes runAsUser, YMIR's --user), it just
#     goes on.
#  4. The command: the image's CMD, /usr/bin/start.sh (the YMIR executor when /in/env.yaml exists, else
#     the server), unless the container is given one: options (-...) go to the server, `batch ...` runs
#     `model-server batch ...`, `model-server ...` the launcher, any other command (cat, bash) runs as is.
#     It is exec'd, so the JVM is PID 1 and SIGTERM reaches the runtime, which drains and exits 0.
set -euo pipefail

RUNTIME_HOME=${MODEL_RUNTIME_HOME:-/opt/model-runtime}
HOSTS_FILE=${MODEL_RUNTIME_HOSTS_FILE:-/etc/hosts}   # overridable for tests only
RUNTIME_USER=${MODEL_RUNTIME_USER:-model}

die() {
  echo "entrypoint: $*" >&2
  exit 64
}

valid_ipv4() {
  local IFS=. octets o
  read -r -a octets <<<"$1"
  [[ "$1" =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] || return 1
  for o in "${octets[@]}"; do
    (( 10#$o <= 255 )) || return 1
  done
}

valid_ipv6() {
  [[ "$1" == *:* && "$1" =~ ^[0-9A-Fa-f:.]+$ && "$1" != *:::* ]]
}

valid_hostname() {
  # RFC 1123: dot-separated labels of letters, digits and inner hyphens, at most 253 characters.
  (( ${#1} <= 253 )) && [[ "$1" =~ ^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$ ]]
}

# Prints "ip hostname" lines for $HOSTS, or dies naming the first malformed entry.
parse_hosts() {
  local entry ip name IFS=,
  local -a entries
  read -r -a entries <<<"$1"
  for entry in "${entries[@]}"; do
    entry="${entry#"${entry%%[![:space:]]*}"}"
    entry="${entry%"${entry##*[![:space:]]}"}"
    [[ -z "$entry" ]] && continue   # tolerate a trailing comma
    if [[ "$entry" != *"<->"* ]]; then
      die "malformed HOSTS entry '$entry': expected IP<->hostname (entries separated by commas)"
    fi
    ip="${entry%%<->*}"
    name="${entry#*<->}"
    if ! valid_ipv4 "$ip" && ! valid_ipv6 "$ip"; then
      die "malformed HOSTS entry '$entry': '$ip' is not an IPv4 or IPv6 address"
    fi
    if ! valid_hostname "$name"; then
      die "malformed HOSTS entry '$entry': '$name' is not a valid hostname"
    fi
    printf '%s %s\n' "$ip" "$name"
  done
}

append_hosts() {
  local lines line
  lines=$(parse_hosts "$1") || exit $?
  [[ -z "$lines" ]] && return 0
  if [[ ! -w "$HOSTS_FILE" ]]; then
    die "HOSTS is set but $HOSTS_FILE is not writable for uid $(id -u): start the container as root (the runtime still runs as '$RUNTIME_USER') or, on Kubernetes, use hostAliases"
  fi
  while IFS= read -r line; do
    # A restarted container keeps its hosts file: do not add the same line twice.
    if ! grep -qxF "$line" "$HOSTS_FILE"; then
      printf '%s\n' "$line" >>"$HOSTS_FILE"
    fi
    echo "entrypoint: $HOSTS_FILE += $line" >&2   # stderr: stdout belongs to the command (`IMAGE cat FILE`)
  done <<<"$lines"
}

# KEY=VALUE lines; sets KEY only when the environment does not already have it.
load_defaults() {
  local file=$1 key value
  [[ -f "$file" ]] || return 0
  while IFS= read -r line || [[ -n "$line" ]]; do
    [[ -z "$line" || "$line" == \#* ]] && continue
    key="${line%%=*}"
    value="${line#*=}"
    [[ "$key" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "bad line in $file: $line"
    if [[ -z "${!key+x}" ]]; then
      export "$key=$value"
    fi
  done <"$file"
}

if [[ -n "${HOSTS:-}" ]]; then
  append_hosts "$HOSTS"
fi

load_defaults "$RUNTIME_HOME/config/delivery.env"
load_defaults "$RUNTIME_HOME/runtime.env"

if [[ "${1:-}" == --check-hosts-only ]]; then
  exit 0   # used by tests: validate and write HOSTS, start nothing
fi

# bin/model-server holds the JVM settings (heap from the container's memory limit, the class-data archive);
# JAVA_OPTS replaces them, as outside the image.
# jna.boot.library.path: JNA's dispatch library as baked by NativeWarmup; jna.nounpack: never unpack it into
# /tmp at start (a read-only root may have none; without the baked one JPEGs go to ImageIO).
export MODEL_RUNTIME_JVM_EXTRA="-Dai.djl.offline=${DJL_OFFLINE:-true} -Dorg.bytedeco.javacpp.cachedir=${JAVACPP_CACHE_DIR:-$RUNTIME_HOME/natives/javacpp} -Djna.boot.library.path=$RUNTIME_HOME/natives/jna -Djna.nounpack=true"

launcher="$RUNTIME_HOME/bin/model-server"
case "${1:-}" in
  ""|-*) cmd=("$launcher" "$@") ;;              # no command, or server options: the server
  batch) cmd=("$launcher" "$@") ;;              # offline inference: model-server batch ...
  model-server) cmd=("$launcher" "${@:2}") ;;   # the launcher by its name (not on PATH)
  *) cmd=("$@") ;;                              # any other program (the CMD start.sh, cat, bash) as is
esac

if [[ "$(id -u)" == 0 && "$RUNTIME_USER" != root ]]; then
  export HOME
  HOME=$(getent passwd "$RUNTIME_USER" | cut -d: -f6)
  exec setpriv --reuid="$RUNTIME_USER" --regid="$RUNTIME_USER" --init-groups --no-new-privs -- "${cmd[@]}"
fi
exec "${cmd[@]}"
