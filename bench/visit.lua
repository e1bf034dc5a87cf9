-- wrk script for bench/visit.py: each connection plays its own followers.
--
--   wrk -t N -c N -s bench/visit.lua URL -- COOKIES_FILE METHOD PATH
--
-- bench/visit.py runs one connection per wrk thread (-t = -c), so each connection has its
-- own Lua state and its own slice of the session cookies in COOKIES_FILE (one per line),
-- sent in turn. A POST carries an empty JSON body and a fresh Idempotency-Key each time.
-- At the end it prints one JSON line: requests/s, p50/p99 in ms, and the failures.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local cookies, method, path, sent = {}, "GET", "/", 0
local nonce = ""

function init(args)
  method, path = args[2], args[3]
  local total = tonumber(args[4])
  local i = 0
  for line in io.lines(args[1]) do
    if i % total == id then
      table.insert(cookies, line)
    end
    i = i + 1
  end
  math.randomseed(os.time() * 1000 + id)
  nonce = string.format("%06x", math.random(0, 0xffffff))
end

function request()
  sent = sent + 1
  local headers = {
    ["Cookie"] = "session=" .. cookies[(sent % #cookies) + 1],
    ["Accept"] = "application/json",
    ["User-Agent"] = "Mozilla/5.0 MicroMessenger/8.0 bench",
  }
  local body = nil
  if method == "POST" then
    headers["Content-Type"] = "application/json"
    headers["Idempotency-Key"] = string.format("wrk-%s-%d-%d", nonce, id, sent)
    body = "{}"
  end
  return wrk.format(method, path, headers, body)
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    '{"rps": %.1f, "requests": %d, "p50": %.2f, "p99": %.2f, "non_2xx": %d, "socket_errors": %d}\n',
    summary.requests / seconds, summary.requests, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
