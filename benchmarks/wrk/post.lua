-- wrk script of the benchmark harness (benchmarks/harness/loadgen.py runs it; usable by hand too).
-- POSTs request bodies read from files, rotating through them, and prints one line of JSON results:
--   WRK_JSON {"requests":..,"duration_s":..,"errors":{..},"latency_ms":{"p50":..,..}}
--
--   BENCH_BODIES=a.png:b.png BENCH_CONTENT_TYPE=image/png wrk -t1 -c32 -d10s --timeout 30s \
--       -s benchmarks/wrk/post.lua http://127.0.0.1:5000/predict
--
-- env: BENCH_BODIES        body files separated by ':' (required)
--      BENCH_CONTENT_TYPE  Content-Type of every request (default application/octet-stream)
--      BENCH_HEADERS       extra headers for every request, "Name: value|Name2: value2"
--      BENCH_METHOD        default POST
-- A body file F may have a sidecar F.headers with one "Name: value" per line for that body alone (the
-- binary tensor extension's Inference-Header-Content-Length differs per body).
-- Requests are formatted once per thread in init(), so request() costs a table lookup: the script adds
-- no per-request Lua work that a static wrk.body would not (wrk's own ceiling is the same either way).

local requests_list = {}
local counter = 0

local function split(s, sep)
  local out = {}
  for part in string.gmatch(s, "([^" .. sep .. "]+)") do
    table.insert(out, part)
  end
  return out
end

local function read(path)
  local f = io.open(path, "rb")
  if not f then
    return nil
  end
  local data = f:read("*a")
  f:close()
  return data
end

local function trim(s)
  return (s:gsub("^%s+", ""):gsub("%s+$", ""))
end

local function add_header(headers, line)
  local name, value = line:match("^([^:]+):(.*)$")
  if name then
    headers[trim(name)] = trim(value)
  end
end

function init(args)
  local bodies = os.getenv("BENCH_BODIES")
  assert(bodies and #bodies > 0, "BENCH_BODIES is not set")
  local method = os.getenv("BENCH_METHOD") or "POST"
  local content_type = os.getenv("BENCH_CONTENT_TYPE") or "application/octet-stream"
  local common = os.getenv("BENCH_HEADERS") or ""
  for _, path in ipairs(split(bodies, ":")) do
    local body = assert(read(path), "cannot read " .. path)
    local headers = { ["Content-Type"] = content_type }
    for _, line in ipairs(split(common, "|")) do
      add_header(headers, line)
    end
    local sidecar = read(path .. ".headers")
    if sidecar then
      for _, line in ipairs(split(sidecar, "\n")) do
        add_header(headers, line)
      end
    end
    table.insert(requests_list, wrk.format(method, wrk.path, headers, body))
  end
  -- Threads start at different bodies, so identical bodies are not sent in lockstep.
  counter = math.random(#requests_list) - 1
end

function request()
  counter = counter + 1
  return requests_list[(counter % #requests_list) + 1]
end

function done(summary, latency, requests)
  local e = summary.errors
  local function ms(us)
    return us / 1000.0
  end
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_s":%.6f,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_ms":{"mean":%.4f,"p50":%.4f,"p90":%.4f,"p99":%.4f,"p999":%.4f,"max":%.4f}}\n',
    summary.requests, summary.duration / 1e6, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    ms(latency.mean), ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(99)),
    ms(latency:percentile(99.9)), ms(latency.max)))
end
