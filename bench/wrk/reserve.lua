-- wrk script: every request reserves one unit of one item, for a user id
-- no other request uses (so no per-user limit or idempotency replay can
-- make a request cheaper than a real reservation).
--
--   ITEM=bench-hot wrk -t1 -c256 -d10s --latency -s bench/wrk/reserve.lua http://127.0.0.1:8080
--
-- ITEM names the item (it must exist). No response() callback on purpose:
-- defining one makes wrk collect every answer's headers and body, which
-- costs the client more CPU than the server; wrk's own "Non-2xx or 3xx
-- responses" line counts answers that are not 201 (a 409 or 503).
local item = os.getenv("ITEM") or "bench-hot"
local thread_count = 0
local counter = 0
local prefix = ""

function setup(thread)
  thread_count = thread_count + 1
  thread:set("tid", thread_count)
end

function init(args)
  prefix = "w" .. tostring(tid) .. "-" .. tostring(os.time()) .. "-"
end

local headers = { ["Content-Type"] = "application/json" }

function request()
  counter = counter + 1
  local body = '{"userId":"' .. prefix .. counter .. '","itemId":"' .. item .. '","qty":1}'
  return wrk.format("POST", "/api/v1/reservations", headers, body)
end
