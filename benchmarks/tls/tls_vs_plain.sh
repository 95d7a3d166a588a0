#!/usr/bin/env bash
# Issue 29: what TLS and bearer tokens cost. Three runtimes on the tiny CNN, the same jar: plain, TLS
# (a self-signed RSA-2048 certificate made here with openssl), and plain with AUTH_TOKENS_FILE. wrk POSTs the
# fixture PNG to /predict at 32 keep-alive clients, ROUNDS interleaved rounds of ROUND_SECONDS; then the TLS
# handshake rate: every request on a new connection (Connection: close), plain vs TLS.
#   benchmarks/tls/tls_vs_plain.sh          (needs wrk, openssl, curl; a built server/target/model-server.jar)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS="${ROUNDS:-3}"; SECONDS_PER_ROUND="${ROUND_SECONDS:-15}"
work=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 2 \
  -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
printf -- '- token: bench-token\n  groups: [inference, metadata]\n' >"$work/tokens.yaml"
model=model-loaders/src/test/fixtures/onnx/tiny_cnn/model.onnx
server/bin/model-server --model "$model" --port 5301 --grpc-port 0 >"$work/plain.log" 2>&1 &
server/bin/model-server --model "$model" --port 5302 --grpc-port 0 --tls-cert-file "$work/cert.pem" \
  --tls-key-file "$work/key.pem" >"$work/tls.log" 2>&1 &
server/bin/model-server --model "$model" --port 5303 --grpc-port 0 --auth-tokens-file "$work/tokens.yaml" \
  >"$work/tokens.log" 2>&1 &
for u in http://127.0.0.1:5301 https://127.0.0.1:5302 http://127.0.0.1:5303; do
  for _ in $(seq 120); do curl -skf "$u/v2/health/ready" >/dev/null && break; sleep 0.5; done
done
cat >"$work/predict.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "image/png"
wrk.headers["Authorization"] = "Bearer bench-token"
local f = assert(io.open("model-loaders/src/test/fixtures/images/cat32.png", "rb")); wrk.body = f:read("*a"); f:close()
done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.1f p50=%.2fms p99=%.2fms errors=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.errors.status))
end
LUA
for u in http://127.0.0.1:5301 https://127.0.0.1:5302 http://127.0.0.1:5303; do
  wrk -t2 -c32 -d5s -s "$work/predict.lua" "$u/predict" >/dev/null   # settle
done
declare -A rps
for r in $(seq "$ROUNDS"); do
  for which in plain:http://127.0.0.1:5301 tls:https://127.0.0.1:5302 tokens:http://127.0.0.1:5303; do
    name=${which%%:*}; url=${which#*:}
    line=$(wrk -t2 -c32 -d"${SECONDS_PER_ROUND}s" -s "$work/predict.lua" "$url/predict" | grep RESULT)
    echo "round $r $name $line"
    rps[$name]+="$(sed 's/.*rps=\([0-9.]*\).*/\1/' <<<"$line") "
  done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
p=$(median <<<"${rps[plain]}"); t=$(median <<<"${rps[tls]}"); k=$(median <<<"${rps[tokens]}")
echo "median req/s at 32 keep-alive clients: plain $p, TLS $t ($(python3 -c "print(round($t/$p,3))")x), tokens $k ($(python3 -c "print(round($k/$p,3))")x)"
for which in plain:http://127.0.0.1:5301 tls:https://127.0.0.1:5302; do
  name=${which%%:*}; url=${which#*:}
  line=$(wrk -t2 -c32 -d10s -H "Connection: close" -s "$work/predict.lua" "$url/predict" | grep RESULT)
  echo "new connection per request, $name: $line"
done
