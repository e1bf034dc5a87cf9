-- One draw, decided atomically (docs/fairness.md, "The atomic step").
--
-- KEYS: 1 state, 2 tiers, 3 awarded, 4 awarded_day, 5 players, 6 seq, 7 events,
--       8 idempotency record, 9 moments prefix, 10 per-day plays prefix, 11 code pool prefix,
--       12 local days (9-11 are prefixes under the same hash tag, so every key touched is in one slot).
-- ARGV: 1 player pseudonym, 2 openid, 3 client seed, 4 seed mode ("set" | "expect"),
--       5 the nonce the caller computed the pick for, 6 the tier that pick lands on,
--       7 idempotency TTL in seconds, 8 instant in ms ("" = the server's TIME), 9 campaign id
-- Returns a JSON text: the draw, or {"refused": code}, or {"retry": true, ...} when the
-- caller's nonce or client seed is stale (nothing is changed then).
redis.replicate_commands()

local function limit(value)
  if value == nil or value == false or value == "" then return nil end
  return tonumber(value)
end

local stored = redis.call("GET", KEYS[8])
if stored then return stored end

-- Only the fields a draw reads (the hash also holds what other commands need).
local s = redis.call("HMGET", KEYS[1], "status", "start_ms", "end_ms", "min_interval_ms", "plays_total",
  "plays_per_day", "wins_total", "fallback", "moment_tiers", "fallback_coupon", "rules_version")
local status = s[1]
if not status then return cjson.encode({refused = "not_published"}) end

local now
if ARGV[8] ~= "" then
  now = tonumber(ARGV[8])
else
  local t = redis.call("TIME")
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

if status == "paused" then return cjson.encode({refused = "paused"}) end
if status == "ended" or now >= tonumber(s[3]) then return cjson.encode({refused = "ended"}) end
if now < tonumber(s[2]) then return cjson.encode({refused = "not_started"}) end

-- The campaign-local day, looked up only when a per-day count needs it: the label of the
-- last local midnight at or before now (the first day's label is scored at the start).
local label = nil
local function today()
  if not label then label = redis.call("ZREVRANGEBYSCORE", KEYS[12], now, "-inf", "LIMIT", 0, 1)[1] end
  return label
end

local player = ARGV[1]
local p = redis.call("HMGET", KEYS[5], player .. ":seed", player .. ":nonce", player .. ":plays",
  player .. ":wins", player .. ":last")
local plays = tonumber(p[3] or 0)
local wins = tonumber(p[4] or 0)
local plays_per_day = limit(s[6])
-- Plays per day are counted only where they are limited: one call less on every draw otherwise.
local plays_today, pday_key = 0, nil
if plays_per_day then
  pday_key = KEYS[10] .. today()
  plays_today = tonumber(redis.call("HGET", pday_key, player) or 0)
end

local interval = tonumber(s[4] or 0)
if interval > 0 and p[5] and now - tonumber(p[5]) < interval then return cjson.encode({refused = "rate_limited"}) end
local plays_total = limit(s[5])
if plays_total and plays >= plays_total then return cjson.encode({refused = "limit_reached"}) end
if plays_per_day and plays_today >= plays_per_day then return cjson.encode({refused = "limit_reached"}) end

local nonce = tonumber(p[2] or 0)
local seed = p[1]
if ARGV[4] == "set" or not seed then seed = ARGV[3] end
if seed ~= ARGV[3] or nonce ~= tonumber(ARGV[5]) then
  return cjson.encode({retry = true, nonce = nonce, client_seed = seed})
end

local fallback = s[8]
local wins_total = limit(s[7])
local under_wins = wins_total == nil or wins < wins_total

local function released_unit(tier)
  local unit = redis.call("ZRANGEBYSCORE", KEYS[9] .. tier, "-inf", now, "LIMIT", 0, 1)
  return unit[1]
end

local drawn, awarded, reason, unit = ARGV[6], nil, nil, nil
if under_wins then
  for tier in string.gmatch(s[9] or "", "[^,]+") do
    unit = released_unit(tier)
    if unit then drawn, awarded, reason = tier, tier, "moment"; break end
  end
end

local coupon = s[10]
local per_day_award = false
if not awarded then
  awarded = drawn
  if drawn ~= fallback then
    local t = redis.call("HMGET", KEYS[2], drawn .. ":release", drawn .. ":stock", drawn .. ":per_day", drawn .. ":coupon")
    local release, per_day = t[1], limit(t[3])
    local left
    if release == "moments" then
      unit = released_unit(drawn)
      left = unit ~= nil
    else
      left = tonumber(redis.call("HGET", KEYS[3], drawn) or 0) < tonumber(t[2])
    end
    if not left then
      reason = "out_of_stock"
    elseif release == "per_day" and per_day and
        tonumber(redis.call("HGET", KEYS[4], today() .. ":" .. drawn) or 0) >= per_day then
      reason = "daily_limit"
    elseif not under_wins then
      reason = "player_win_limit"
    end
    if reason then awarded, unit = fallback, nil else coupon, per_day_award = t[4], release == "per_day" end
  end
elseif awarded ~= fallback then
  coupon = redis.call("HGET", KEYS[2], awarded .. ":coupon")
end

if unit then redis.call("ZREM", KEYS[9] .. awarded, unit) end
redis.call("HINCRBY", KEYS[3], awarded, 1)
-- Awards per day are counted only for per_day tiers, the only ones whose cap reads them.
if per_day_award then redis.call("HINCRBY", KEYS[4], today() .. ":" .. awarded, 1) end
if awarded ~= fallback then wins = wins + 1 end
local code = ""
if coupon ~= "none" then
  code = redis.call("LPOP", KEYS[11] .. awarded) or ""
end
local seq = redis.call("INCR", KEYS[6])
-- Only what changed: the seed when it is new, the last play's instant only where a minimum interval reads it.
local changed = {player .. ":nonce", nonce + 1, player .. ":plays", plays + 1, player .. ":wins", wins}
if seed ~= p[1] then changed[#changed + 1] = player .. ":seed"; changed[#changed + 1] = seed end
if interval > 0 then changed[#changed + 1] = player .. ":last"; changed[#changed + 1] = now end
redis.call("HSET", KEYS[5], unpack(changed))
if plays_per_day then redis.call("HINCRBY", pday_key, player, 1) end
local version = s[11]
redis.call("XADD", KEYS[7], "*", "id", "draw:" .. seq, "type", "draw", "campaign", ARGV[9], "openid", ARGV[2],
  "ts", now, "seq", seq, "player", player, "nonce", nonce, "client_seed", seed, "drawn_tier", drawn,
  "awarded_tier", awarded, "reason", reason or "", "rules_version", version, "code", code)

local result = cjson.encode({
  seq = seq, ts = now, nonce = nonce, client_seed = seed, drawn_tier = drawn, awarded_tier = awarded,
  reason = reason or "", rules_version = tonumber(version), code = code,
  plays = plays + 1, plays_today = plays_today + 1, wins = wins,
})
redis.call("SET", KEYS[8], result, "EX", tonumber(ARGV[7]))
return result
