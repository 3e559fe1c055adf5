-- wrk script: pages through GET /api/v1/changes, 1,000 changes a page,
-- following each answer's "next" (and starting again at 0 at the head), so
-- every request reads and encodes a full page of the journal.
--
--   wrk -t1 -c1 -d10s -s bench/wrk/changes_page.lua http://127.0.0.1:8080
--
-- Changes read per second = requests per second x 1,000 while the journal
-- holds well over a page. One connection: a reader follows its cursor, so
-- requests cannot overlap. The answer is parsed for "next" only (a pattern
-- match on its tail), which costs this client far less than the server's
-- read and encoding.
local after = 0

function request()
  return wrk.format("GET", "/api/v1/changes?limit=1000&after=" .. after)
end

function response(status, headers, body)
  local next_seq = string.match(body, '"next":(%d+)}$')
  if status ~= 200 or next_seq == nil then
    after = 0
    return
  end
  next_seq = tonumber(next_seq)
  -- At the head a page is short: wrap around to keep pages full.
  if next_seq - after < 1000 then next_seq = 0 end
  after = next_seq
end
