-- wrk script: POST one FP32 tensor to /v2/models/<name>/infer with the binary tensor data extension
-- (JSON header sized by Inference-Header-Content-Length, then the raw little-endian floats), as
-- tritonclient sends it by default; the output comes back binary too. Prints one RESULT line.
--   wrk -t1 -c8 -d10s -s benchmarks/wrk/infer-binary.lua http://127.0.0.1:5000/v2/models/<name>/infer
-- BENCH_INPUT (default "input"), BENCH_SHAPE (default "1,3,32,32", the bundled tiny CNN; MobileNetV2:
-- "1,3,224,224"), BENCH_OUTPUT (default "logits"). Every element is 0.5 (00 00 00 3f).
local input = os.getenv("BENCH_INPUT") or "input"
local shape = os.getenv("BENCH_SHAPE") or "1,3,32,32"
local output = os.getenv("BENCH_OUTPUT") or "logits"
local n = 1
for d in string.gmatch(shape, "%d+") do n = n * tonumber(d) end
local tail = string.rep("\0\0\0\63", n)
local head = '{"inputs":[{"name":"' .. input .. '","shape":[' .. shape .. '],"datatype":"FP32",'
  .. '"parameters":{"binary_data_size":' .. #tail .. '}}],"outputs":[{"name":"' .. output
  .. '","parameters":{"binary_data":true}}]}'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/octet-stream"
wrk.headers["Inference-Header-Content-Length"] = tostring(#head)
wrk.body = head .. tail
done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.1f p50=%.1fms p99=%.1fms errors=%d non2xx=%d bytes=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, #wrk.body))
end
