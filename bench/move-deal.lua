-- wrk script: POST /api/crm/deals/{id}/move, each request a different deal
-- (version 1) from the file BENCH_DEALS (one id per line), split between
-- wrk's threads, each moved to the top of the stage BENCH_STAGE. Moves into
-- one stage queue on that stage's lock. Once the deals run out, requests
-- repeat the last one (412s, counted as non-2xx by wrk).
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
  thread:set("nthreads", 2)
end

function init(args)
  ids = {}
  local index = 0
  for line in io.lines(os.getenv("BENCH_DEALS")) do
    if index % nthreads == tid - 1 then
      ids[#ids + 1] = line
    end
    index = index + 1
  end
  counter = 0
  body = '{"stage_id":"' .. os.getenv("BENCH_STAGE") .. '"}'
end

function request()
  counter = counter + 1
  local id = ids[math.min(counter, #ids)]
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = os.getenv("BENCH_AUTH"),
    ["If-Match"] = '"1"',
    ["Idempotency-Key"] = "bench-move-" .. tostring(tid) .. "-" .. tostring(counter) .. "-" .. os.getenv("BENCH_RUN"),
  }
  return wrk.format("POST", "/api/crm/deals/" .. id .. "/move", headers, body)
end
