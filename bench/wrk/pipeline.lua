-- wrk script: HTTP/1.1 pipelining. Each "request" wrk sends is DEPTH
-- (default 16) reservations written back to back on one connection; wrk
-- counts each answer, so its requests/s are reservations/s. Like wrk's own
-- pipeline.lua (wrk counts the requests in what request() returns once at
-- start and expects that many answers each time), with unique user ids.
--
--   ITEM=bench-hot DEPTH=16 wrk -t1 -c256 -d10s --latency -s bench/wrk/pipeline.lua http://127.0.0.1:8080
local item = os.getenv("ITEM") or "bench-hot"
local depth = tonumber(os.getenv("DEPTH") or "16")
local thread_count = 0
local counter = 0
local prefix = ""

function setup(thread)
  thread_count = thread_count + 1
  thread:set("tid", thread_count)
end

function init(args)
  prefix = "p" .. tostring(tid) .. "-" .. tostring(os.time()) .. "-"
end

local headers = { ["Content-Type"] = "application/json" }

function request()
  local requests = {}
  for i = 1, depth do
    counter = counter + 1
    local body = '{"userId":"' .. prefix .. counter .. '","itemId":"' .. item .. '","qty":1}'
    requests[i] = wrk.format("POST", "/api/v1/reservations", headers, body)
  end
  return table.concat(requests)
end
