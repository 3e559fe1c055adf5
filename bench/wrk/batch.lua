-- wrk script: every request is one POST /api/v1/batch of BATCH reservations
-- (default 100) of one unit each of ITEM, each for a user id no other
-- reservation uses. Reservations per second = wrk's requests/s x BATCH.
--
--   ITEM=bench-hot BATCH=100 wrk -t1 -c256 -d10s --latency -s bench/wrk/batch.lua http://127.0.0.1:8080
--
-- Every batch answers 200 (its entries carry their own statuses); wrk's
-- "Non-2xx" line counts batches refused whole (400, 413, 503).
local item = os.getenv("ITEM") or "bench-hot"
local size = tonumber(os.getenv("BATCH") or "100")
local thread_count = 0
local counter = 0
local prefix = ""

function setup(thread)
  thread_count = thread_count + 1
  thread:set("tid", thread_count)
end

function init(args)
  prefix = "b" .. tostring(tid) .. "-" .. tostring(os.time()) .. "-"
end

local headers = { ["Content-Type"] = "application/json" }

function request()
  local entries = {}
  for i = 1, size do
    counter = counter + 1
    entries[i] = '{"method":"POST","path":"/api/v1/reservations","body":{"userId":"' ..
        prefix .. counter .. '","itemId":"' .. item .. '","qty":1}}'
  end
  return wrk.format("POST", "/api/v1/batch", headers, '{"requests":[' .. table.concat(entries, ",") .. ']}')
end
