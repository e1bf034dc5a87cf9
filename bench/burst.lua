-- wrk script for bench/burst.py --load wrk: each connection's followers, in turn, open the
-- game page as a phone does (the page, /me, wx-config) and then play PLAYS times.
--
--   wrk -t N -c N -s bench/burst.lua URL -- COOKIES_FILE SLUG PAGE_URL PLAYS CONNECTIONS
--
-- One connection per wrk thread (-t = -c), so each has its own Lua state and its own slice
-- of the session cookies (one per line). Every draw carries a fresh Idempotency-Key. At the
-- end it prints one JSON line: the plays answered 200, the page-open requests answered 200,
-- the other answers, the duration and the latency percentiles of every request.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local cookies, slug, page_url, plays = {}, "", "", 3
local follower, step, sent, nonce = 1, 0, 0, ""
local kinds = {}          -- the kind of each request sent and not yet answered, in order
local queued, answered = 0, 0
plays_ok, opens_ok, refused = 0, 0, 0

local function escape(text)
  return (string.gsub(text, "[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  slug, page_url, plays = args[2], args[3], tonumber(args[4])
  local total = tonumber(args[5])
  local i = 0
  for line in io.lines(args[1]) do
    if i % total == id then table.insert(cookies, line) end
    i = i + 1
  end
  math.randomseed(os.time() * 1000 + id)
  nonce = string.format("%06x", math.random(0, 0xffffff))
end

function request()
  local headers = {
    ["Cookie"] = "session=" .. cookies[follower],
    ["User-Agent"] = "Mozilla/5.0 MicroMessenger/8.0 burst",
  }
  local base = "/c/" .. slug .. "/"
  local method, path, body, kind = "GET", base, nil, "open"
  if step == 1 then
    path, headers["Accept"] = base .. "me", "application/json"
  elseif step == 2 then
    path = base .. "wx-config?url=" .. escape(page_url)
  elseif step >= 3 then
    sent = sent + 1
    method, path, body, kind = "POST", base .. "draw", "{}", "play"
    headers["Accept"], headers["Content-Type"] = "application/json", "application/json"
    headers["Idempotency-Key"] = string.format("burst-%s-%d-%d", nonce, id, sent)
  end
  queued = queued + 1
  kinds[queued] = kind
  step = step + 1
  if step >= 3 + plays then
    step, follower = 0, (follower % #cookies) + 1
  end
  return wrk.format(method, path, headers, body)
end

function response(status, headers, body)
  answered = answered + 1
  local kind = kinds[answered]
  kinds[answered] = nil
  if status ~= 200 then
    refused = refused + 1
  elseif kind == "play" then
    plays_ok = plays_ok + 1
  else
    opens_ok = opens_ok + 1
  end
end

function done(summary, latency, requests)
  local p, o, r = 0, 0, 0
  for _, thread in ipairs(threads) do
    p, o, r = p + thread:get("plays_ok"), o + thread:get("opens_ok"), r + thread:get("refused")
  end
  local e = summary.errors
  io.write(string.format(
    '{"plays": %d, "page_requests": %d, "not_200": %d, "seconds": %.3f, "p50": %.2f, "p95": %.2f, "p99": %.2f, "socket_errors": %d}\n',
    p, o, r, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, e.connect + e.read + e.write + e.timeout))
end
