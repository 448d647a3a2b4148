-- wrk script: POST /retrieve in Search-R1's schema, a different batch of queries each time.
-- Environment: BATCH (queries per request, default 1), TOPK (default 3).
-- Each thread cycles through CYCLE distinct batches, so a replay run after a record run
-- asks only what was recorded.
local batch = tonumber(os.getenv("BATCH") or "1")
local cycle = tonumber(os.getenv("CYCLE") or "500")
local topk = tonumber(os.getenv("TOPK") or "3")
local counter = 0
bad = 0  -- global: done() reads it from each thread with thread:get
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter % cycle + 1
  local queries = {}
  for i = 1, batch do
    queries[i] = string.format('"who founded entity %d of thread %d"', counter * batch + i, id)
  end
  local body = string.format('{"queries": [%s], "topk": %d, "return_scores": true}', table.concat(queries, ", "), topk)
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  -- A 200 whose body is not a result list also counts as an error.
  if status ~= 200 or string.sub(body, 1, 10) ~= '{"result":' then bad = bad + 1 end
end

function done(summary, latency, requests)
  local bad_total = 0
  for _, thread in ipairs(threads) do bad_total = bad_total + thread:get("bad") end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "requests_per_second": %.1f, "p50_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, "socket_errors": %d, "bad_responses": %d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.connect + e.read + e.write + e.timeout, bad_total))
end
