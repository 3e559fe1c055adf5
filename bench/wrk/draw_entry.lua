-- wrk script: every request enters DRAW (which must be open) for a user id
-- no other request uses, one unit each: one entry per HTTP request.
--
--   DRAW=drop wrk -t1 -c256 -d10s --latency -s bench/wrk/draw_entry.lua http://127.0.0.1:8080
--
-- wrk's "Non-2xx" line counts refusals (409 after closesAt, 503).
local draw = os.getenv("DRAW") or "drop"
local thread_count = 0
local counter = 0
local prefix = ""

function setup(thread)
  thread_count = thread_count + 1
  thread:set("tid", thread_count)
end

function init(args)
  prefix = "e" .. tostring(tid) .. "-" .. tostring(os.time()) .. "-"
end

local headers = { ["Content-Type"] = "application/json" }

function request()
  counter = counter + 1
  local body = '{"userId":"' .. prefix .. counter .. '","qty":1}'
  return wrk.format("POST", "/api/v1/draws/" .. draw .. "/entries", headers, body)
end
