#!/usr/bin/env bash
# The first hour, as a new user meets it, checked in CI (run by .ci/run after the test command):
#   1. a fresh `git clone` of this checkout; the README's quick-start command, taken from the README itself
#      (PORT and GRPC_PORT set to free ports, so a busy 5000 on the CI machine does not matter);
#   2. the README's first curl line: the default model's answer names the right label ("3");
#   3. curl's default call (`--data-binary` sends a form content type) and a call with no content type work;
#   4. the log of the start and 100 requests stays short (fewer than 30 lines: no engine warning flood);
#   5. with ACCESS_LOG=true the same 100 requests write 100 access lines;
#   6. docs/examples/clients.py (Python `requests`) against the live server, where python3 has `requests`.
# The README's other command (the tests) is what runs before this script; it is not run twice.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
REPO_DIR=$REPO DEPLOY_DIR=$REPO/deploy CI_NAME=walkthrough
# shellcheck source=../deploy/ci/lib.sh
source "$REPO/deploy/ci/lib.sh" # step, fail, free_port
WORK=$(mktemp -d "${TMPDIR:-/tmp}/walkthrough.XXXXXX")
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then
    pkill -TERM -P "$server_pid" 2>/dev/null || true # the JVM under the README's bash -c
    kill "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# The README's fenced bash blocks, in order: quick start, then its curl lines.
readme_block() {
  awk -v want="$1" '/^```bash$/ {n++; inside = (n == want); next} /^```$/ {inside = 0} inside' "$REPO/README.md"
}
start_command=$(readme_block 1)
[[ "$start_command" == *"server/bin/model-server"* ]] || fail "README's first bash block is not the start command: $start_command"
# (continuation lines joined: the README breaks the call over two lines)
curl_line=$(readme_block 2 | sed -e ':a' -e '/\\$/N; s/\\\n//; ta' | grep -m1 '/predict')
[[ -n "$curl_line" ]] || fail "README's second bash block has no /predict call"

step "fresh clone of $(git -C "$REPO" rev-parse --short HEAD) into $WORK/clone"
git clone -q "$REPO" "$WORK/clone"
cd "$WORK/clone"

port=$(free_port)
start() { # $1: log file; the rest: environment for the server
  local log=$1
  shift
  env PORT="$port" GRPC_PORT="$(free_port)" "$@" bash -c "$start_command" >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && return 0
    kill -0 "$server_pid" 2>/dev/null || { tail -n 20 "$log"; fail "the server exited before it was ready"; }
    sleep 0.5 # polling a process we do not control; nothing to wait on
  done
  fail "not ready after 300 s"
}
stop() {
  # the README's command runs the launcher under bash -c: SIGTERM the JVM (the launcher exec'd into it)
  pkill -TERM -P "$server_pid" 2>/dev/null || kill -TERM "$server_pid"
  wait "$server_pid" || true
  server_pid=""
}
hundred_requests() {
  for _ in $(seq 1 100); do
    curl -sf -o /dev/null -H 'Content-Type: image/png' --data-binary @server/src/main/default-model/sample-7.png \
      "http://127.0.0.1:$port/predict" || fail "a request failed"
  done
}

step "the README's quick start: $start_command"
start "$WORK/start.log"

step "the README's first curl line: $curl_line"
answer=$(bash -c "${curl_line//localhost:5000/127.0.0.1:$port}")
label=$(python3 -c 'import json,sys; t=json.load(sys.stdin)["top_k"]; t=t[0] if isinstance(t[0], list) else t; print(t[0]["label"], t[0]["score"])' <<<"$answer")
[[ "$label" == "3 "* ]] || fail "the default model's answer for sample-3.png is '$label', not 3: $answer"
echo "  label and probability: $label"

step "curl's default content type (form) and no content type at all"
for header in "" "Content-Type:"; do
  code=$(curl -s -o "$WORK/answer.json" -w '%{http_code}' ${header:+-H "$header"} \
    --data-binary @server/src/main/default-model/sample-9.png "http://127.0.0.1:$port/predict?top_k=1")
  [[ "$code" == 200 ]] || fail "curl ${header:+-H '$header' }--data-binary: HTTP $code $(cat "$WORK/answer.json")"
  grep -q '"label":"9"' "$WORK/answer.json" || fail "sample-9.png not answered 9: $(cat "$WORK/answer.json")"
done
echo "  both answered 9"

step "100 requests; the log stays short"
hundred_requests
if python3 -c 'import requests' 2>/dev/null; then
  step "docs/examples/clients.py (Python requests) against the live server"
  python3 docs/examples/clients.py "http://127.0.0.1:$port"
else
  step "docs/examples/clients.py skipped: python3 has no 'requests' module here"
fi
stop
lines=$(grep -c . "$WORK/start.log")
((lines < 30)) || { cat "$WORK/start.log"; fail "$lines log lines for a start and 100 requests"; }
echo "  $lines log lines for a start, the calls above and 100 requests"

step "ACCESS_LOG=true: a line per request"
start "$WORK/access.log" ACCESS_LOG=true
hundred_requests
stop
access=$(grep -c ' access - POST /predict route=/predict .* status=200 ' "$WORK/access.log" || true)
[[ "$access" == 100 ]] || { tail -n 5 "$WORK/access.log"; fail "$access access lines for 100 requests"; }
echo "  100 access lines, e.g.: $(grep -m1 ' access - POST' "$WORK/access.log" | sed 's/^.* access - //')"
step "done"
