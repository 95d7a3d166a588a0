#!/usr/bin/env bash
# ModelInfer over gRPC under load with h2load (HTTP/2, prior knowledge): a pre-encoded gRPC frame
# (GrpcRequestFile: one random FP32 tensor in raw_input_contents) posted as the body with the gRPC headers,
# closed loop, one stream per connection, at each client count. Checks one call's grpc-status first, since
# h2load counts HTTP statuses only (a gRPC error is HTTP 200 with grpc-status in the trailers).
#
# Needs a running server and the benchmarks built (mvn -B -DskipTests package); h2load and curl (Debian
# nghttp2-client, curl). Prints one summary line per client count:
#   grpc clients=32 rps=2950.1 mean_ms=10.8 succeeded=29501 failed=0 errored=0
#
#   benchmarks/grpc/h2load-grpc.sh --port 8081 --model cnn --input input --shape 1x3x32x32 --duration 10 --clients "1 32"
set -euo pipefail
cd "$(dirname "$0")/../.."

host=127.0.0.1 port=8081 model=default-model input=image shape=1x1x8x8 duration=10 warmup=2 clients="1 32"
while (($#)); do
  case "$1" in
    --host) host=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --model) model=$2; shift 2 ;;
    --input) input=$2; shift 2 ;;
    --shape) shape=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
for tool in h2load curl java; do
  command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 2; }
done
[[ -d benchmarks/target/classes && -d benchmarks/target/lib ]] || { echo "build first: mvn -B -DskipTests package" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
java -cp "benchmarks/target/classes:benchmarks/target/lib/*" com.modelfactory.runtime.grpc.GrpcRequestFile \
  "$work/request.bin" "$model" "$input" "$shape"
url="http://$host:$port/inference.GRPCInferenceService/ModelInfer"
headers=(-H 'content-type: application/grpc' -H 'te: trailers')

curl --http2-prior-knowledge -sS -o "$work/response.bin" -D "$work/headers.txt" "${headers[@]}" \
  --data-binary "@$work/request.bin" "$url"
if ! grep -qi '^grpc-status: 0' "$work/headers.txt"; then
  echo "the check call failed:" >&2
  cat "$work/headers.txt" >&2
  exit 1
fi

for c in $clients; do
  out=$(h2load -c "$c" -m 1 -t 1 -D "$duration" --warm-up-time "$warmup" "${headers[@]}" -d "$work/request.bin" "$url")
  rps=$(sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p' <<<"$out")
  mean=$(awk '/^time for request:/ {print $6}' <<<"$out")
  read -r ok failed errored < <(sed -n 's/^requests: .* \([0-9]*\) succeeded, \([0-9]*\) failed, \([0-9]*\) errored.*/\1 \2 \3/p' <<<"$out")
  # h2load prints the mean with its unit (us, ms, s)
  mean_ms=$(awk -v m="$mean" 'BEGIN { v = m + 0; if (m ~ /us$/) v /= 1000; else if (m ~ /ms$/) v += 0; else if (m ~ /s$/) v *= 1000; printf "%.2f", v }')
  echo "grpc clients=$c rps=$rps mean_ms=$mean_ms succeeded=$ok failed=$failed errored=$errored"
done
