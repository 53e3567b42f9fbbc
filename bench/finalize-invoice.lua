-- wrk script: POST /api/invoices/{id}/finalize, each request a different
-- draft (version 1) from the file BENCH_DRAFTS (one id per line), split
-- between wrk's threads. Every finalization of the organization takes the
-- next number of one gapless series, so they queue on its counter row.
-- Once the drafts run out, requests repeat the last one (409s, counted as
-- non-2xx by wrk).
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
  thread:set("nthreads", 2)
end

function init(args)
  ids = {}
  local index = 0
  for line in io.lines(os.getenv("BENCH_DRAFTS")) do
    if index % nthreads == tid - 1 then
      ids[#ids + 1] = line
    end
    index = index + 1
  end
  counter = 0
end

function request()
  counter = counter + 1
  local id = ids[math.min(counter, #ids)]
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = os.getenv("BENCH_AUTH"),
    ["If-Match"] = '"1"',
    ["Idempotency-Key"] = "bench-fin-" .. tostring(tid) .. "-" .. tostring(counter) .. "-" .. os.getenv("BENCH_RUN"),
  }
  return wrk.format("POST", "/api/invoices/" .. id .. "/finalize", headers, "{}")
end
