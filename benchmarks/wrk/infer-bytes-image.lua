-- wrk script: POST one encoded image as a BYTES tensor to /v2/models/<name>/infer (binary tensor data
-- extension: 4-byte little-endian length, then the file's bytes); the server decodes and shapes it as
-- /predict does. Compare with infer-binary.lua sending the same model's float tensor. Prints one RESULT line.
--   BENCH_IMAGE=photo224.jpg wrk -t1 -c8 -d10s -s benchmarks/wrk/infer-bytes-image.lua \
--       http://127.0.0.1:5000/v2/models/<name>/infer
-- BENCH_IMAGE (default the fixture cat32.png; for MobileNetV2 a 224x224 JPEG/PNG), BENCH_INPUT
-- (default "input"), BENCH_OUTPUT (default "logits").
local input = os.getenv("BENCH_INPUT") or "input"
local output = os.getenv("BENCH_OUTPUT") or "logits"
local image = os.getenv("BENCH_IMAGE") or "model-loaders/src/test/fixtures/images/cat32.png"
local f = assert(io.open(image, "rb")); local bytes = f:read("*a"); f:close()
local n = #bytes
local prefix = string.char(n % 256, math.floor(n / 256) % 256, math.floor(n / 65536) % 256, math.floor(n / 16777216) % 256)
local head = '{"inputs":[{"name":"' .. input .. '","shape":[1],"datatype":"BYTES",'
  .. '"parameters":{"binary_data_size":' .. (n + 4) .. '}}],"outputs":[{"name":"' .. output
  .. '","parameters":{"binary_data":true}}]}'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/octet-stream"
wrk.headers["Inference-Header-Content-Length"] = tostring(#head)
wrk.body = head .. prefix .. bytes
done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.1f p50=%.1fms p99=%.1fms errors=%d non2xx=%d bytes=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, #wrk.body))
end
