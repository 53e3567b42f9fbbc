-- wrk script: POST /api/orders with a unique Idempotency-Key per request.
-- AUTH is filled in by scripts/bench.sh.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  counter = 0
end

local body = '{"currency":"EUR","lines":[{"sku":"BENCH-1","description":"Benchmark widget","quantity":"2","unit_price":"19.99","tax_rate":"20"}]}'

function request()
  counter = counter + 1
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = os.getenv("BENCH_AUTH"),
    ["Idempotency-Key"] = "bench-" .. tostring(tid) .. "-" .. tostring(counter) .. "-" .. os.getenv("BENCH_RUN"),
  }
  return wrk.format("POST", "/api/orders", headers, body)
end
