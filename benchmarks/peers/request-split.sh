#!/usr/bin/env bash
# Where one request's time goes, the runtime beside FastAPI + onnxruntime (fastapi_onnx.py), at one client:
#   benchmarks/peers/request-split.sh MODEL.onnx IMAGE [SECONDS] > split.md
# The runtime's side: its own metrics over a wrk run (means from the histograms' sums and counts: the HTTP
# handler, decode + resize + scale, queue wait, engine), the image steps apart on the same file
# (ImageStepTimes), and wrk's mean (what the client sees). The peer's side: its code's steps on the same file
# (python_steps.py) and wrk's mean against it. Needs wrk, the runtime and benchmarks built
# (mvn -B -DskipTests package) and PYTHON with the FastAPI peer's packages. Nothing else may run meanwhile.
set -euo pipefail
model=$(readlink -f "$1") image=$(readlink -f "$2") seconds=${3:-10}
here=$(cd "$(dirname "$0")" && pwd) repo=$(cd "$here/../.." && pwd)
python=${PYTHON:-python3}
port=18100
lua="$repo/benchmarks/wrk/predict-image.lua"
case "$image" in *.jpg|*.jpeg) ctype=image/jpeg ;; *) ctype=image/png ;; esac
export BENCH_IMAGE="$image" BENCH_CONTENT_TYPE=$ctype
side=$("$python" -c '
import onnxruntime as o, sys
n, c, h, w = o.InferenceSession(sys.argv[1]).get_inputs()[0].shape
if c != 3 or h != w or not isinstance(h, int):
    sys.exit(f"request-split.sh takes NCHW RGB classifiers with a fixed square input; this one takes {[n, c, h, w]}")
print(h)' "$model")
pid=""
trap '[[ -z "$pid" ]] || kill -- -"$pid" 2>/dev/null' EXIT
serve() {  # starts a server, waits for its first answer, warms it
  setsid "$@" >/tmp/request-split-server.log 2>&1 &
  pid=$!
  local tries=0
  until curl -s -o /dev/null -f -H "Content-Type: $ctype" --data-binary @"$image" "http://127.0.0.1:$port/predict"; do
    if ! kill -0 "$pid" 2>/dev/null || ((++tries > 1200)); then
      tail -5 /tmp/request-split-server.log >&2
      echo "request-split.sh: $1 never answered" >&2
      exit 1
    fi
    sleep 0.05
  done
  wrk -t1 -c1 -d3s -s "$lua" "http://127.0.0.1:$port/predict" >/dev/null
}
stop() { kill -TERM -- -"$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; pid=""; }
measure() { wrk -t1 -c1 -d"${seconds}s" -s "$lua" "http://127.0.0.1:$port/predict" | grep '^RESULT'; }

serve "$repo/server/bin/model-server" --model "$model" --port $port --grpc-port $((port + 1))
curl -s "http://127.0.0.1:$port/metrics" >/tmp/request-split-before.txt
runtime_wrk=$(measure)
curl -s "http://127.0.0.1:$port/metrics" >/tmp/request-split-after.txt
stop
serve env MODEL="$model" "$python" -m uvicorn --app-dir "$here" --workers 2 --port $port --log-level warning fastapi_onnx:app
peer_wrk=$(measure)
stop
runtime_steps=$(java -cp "$repo/benchmarks/target/classes:$repo/benchmarks/target/lib/*" \
  com.modelfactory.runtime.image.ImageStepTimes "$image" "$side" | grep '^STEPS')
peer_steps=$("$python" "$here/python_steps.py" "$model" "$image" | grep '^STEPS')

"$python" - "$model" "$image" "$seconds" "$runtime_wrk" "$peer_wrk" "$runtime_steps" "$peer_steps" <<'PY'
import re, sys
model, image, seconds, rw, pw, rs, ps = sys.argv[1:]
kv = lambda line: {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", line)}
rw, pw, rs, ps = kv(rw), kv(pw), kv(rs), kv(ps)
def load(path):
    out = {}
    for line in open(path):
        m = re.match(r"(\w+?)_(sum|count)\{([^}]*)\} (\S+)", line)
        if m and 'le=' not in m.group(3):
            key = (m.group(1), m.group(2))
            if m.group(1) == "http_server_requests_seconds" and 'route="/predict"' not in m.group(3):
                continue
            out[key] = out.get(key, 0.0) + float(m.group(4))
    return out
a, b = load("/tmp/request-split-before.txt"), load("/tmp/request-split-after.txt")
def mean(name):
    n = b.get((name, "count"), 0) - a.get((name, "count"), 0)
    return (b.get((name, "sum"), 0) - a.get((name, "sum"), 0)) / n * 1e3 if n else float("nan")
handler = mean("http_server_requests_seconds")
pre, wait, engine = mean("model_preprocess_seconds"), mean("model_queue_wait_seconds"), mean("model_inference_seconds")
rows = [
    ("decode (runtime: at the size the model needs)", rs["decode"], ps["decode"]),
    ("resize, scale, NCHW", rs["resize_scale"], ps["resize_scale"]),
    ("decode + resize in the server (model_preprocess_seconds)", pre, None),
    ("queue wait (model_queue_wait_seconds)", wait, None),
    ("engine (model_inference_seconds; peer: session.run)", engine, ps["engine"]),
    ("answer rendering (peer: json.dumps)", None, ps["render"]),
    ("HTTP handler in all (http_server_requests_seconds)", handler, None),
    ("  of it hand-offs, body, rendering, write (handler - preprocess - wait - engine)", handler - pre - wait - engine, None),
    ("receive, parse, send outside the handler (client mean - handler)", rw["mean"] - handler, None),
    ("client-observed mean (wrk, 1 connection)", rw["mean"], pw["mean"]),
    ("throughput at 1 client, req/s", rw["rps"], pw["rps"]),
]
print(f"model {model.split('/')[-2]}, image {image.split('/')[-1]}, one client, {seconds} s per server; ms per request")
print()
print("| step | runtime | FastAPI + onnxruntime |")
print("|---|---|---|")
f = lambda v: "" if v is None else f"{v:.2f}"
for name, r, p in rows:
    print(f"| {name} | {f(r)} | {f(p)} |")
PY
