-- wrk script: every request is one POST /api/v1/batch of BATCH joins of
-- ITEM's waiting list (default 100), each for a user id no other join uses:
-- how bench/waitlist_cost.sh fills a long queue quickly.
--
--   ITEM=queue BATCH=100 wrk -t1 -c16 -d5s -s bench/wrk/waitlist_join.lua http://127.0.0.1:8080
local item = os.getenv("ITEM") or "queue"
local size = tonumber(os.getenv("BATCH") or "100")
local thread_count = 0
local counter = 0
local prefix = ""

function setup(thread)
  thread_count = thread_count + 1
  thread:set("tid", thread_count)
end

function init(args)
  prefix = "q" .. tostring(tid) .. "-" .. tostring(os.time()) .. "-"
end

local headers = { ["Content-Type"] = "application/json" }

function request()
  local entries = {}
  for i = 1, size do
    counter = counter + 1
    entries[i] = '{"method":"POST","path":"/api/v1/items/' .. item .. '/waitlist","body":{"userId":"' ..
        prefix .. counter .. '","qty":1}}'
  end
  return wrk.format("POST", "/api/v1/batch", headers, '{"requests":[' .. table.concat(entries, ",") .. ']}')
end
