-- wrk script: POST the fixture cat image to /predict and print one RESULT line (see batching-bench.sh).
wrk.method = "POST"
wrk.headers["Content-Type"] = os.getenv("BENCH_CONTENT_TYPE") or "image/png"
local image = os.getenv("BENCH_IMAGE") or "model-loaders/src/test/fixtures/images/cat32.png"
local f = assert(io.open(image, "rb")); wrk.body = f:read("*a"); f:close()
done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.1f p50=%.1fms p99=%.1fms errors=%d non2xx=%d mean=%.3fms\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency.mean / 1000))
end
