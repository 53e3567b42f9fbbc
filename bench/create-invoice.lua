-- wrk script: POST /api/invoices (a two-line draft) with a unique
-- Idempotency-Key per request. AUTH is filled in by scripts/bench.sh.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  counter = 0
end

local body = '{"currency":"EUR","customer":{"name":"Bench Customer"},"lines":[' ..
  '{"description":"Consulting","quantity":"2","unit_price":"650","tax_rate":"23"},' ..
  '{"description":"Travel","quantity":"1","unit_price":"184.50"}]}'

function request()
  counter = counter + 1
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = os.getenv("BENCH_AUTH"),
    ["Idempotency-Key"] = "bench-inv-" .. tostring(tid) .. "-" .. tostring(counter) .. "-" .. os.getenv("BENCH_RUN"),
  }
  return wrk.format("POST", "/api/invoices", headers, body)
end
