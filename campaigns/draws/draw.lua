-- One draw, decided atomically (docs/fairness.md, "The atomic step").
--
-- Everything a common draw reads is in the campaign's one state hash (field names in
-- campaigns/keys.py), so it is read with one HMGET and written with one HSET.
-- KEYS: 1 state hash, 2 events stream, 3 moments prefix, 4 code pool prefix, 5 local days
--       (3-4 are prefixes under the same hash tag).
-- ARGV: 1 player pseudonym, 2 openid, 3 client seed, 4 seed mode ("set" | "expect"),
--       5 the nonce the caller computed the pick for, 6 the tier that pick lands on,
--       7 the Idempotency-Key, 8 instant in ms ("" = the server's TIME), 9 campaign id,
--       10 the fallback tier (fixed at publish; checked against the rules),
--       11 the caller's guess of the campaign-local day's label ("" when no per-day count
--       matters); used when the instant falls in that day's [start, end) as the state hash
--       holds it (field "d:<label>"), else the day is looked up,
--       12 the fingerprint of the request's body (hex, "" for a draw without a client seed)
-- The result is kept for replays in the state hash, field "i:<player>:<key>", as
-- "<fingerprint>|<result>"; the worker deletes it when it trims the draw's stream entry
-- (the entry carries the key). The same key with another fingerprint is refused.
-- Returns text, comma-separated (every value is from a comma-free alphabet):
--   "ok,seq,ts,nonce,client_seed,drawn,awarded,reason,rules_version,code,plays,plays_today,wins"
--   "refused,<code>", or "retry,<nonce>,<client_seed>" when the caller's nonce or client seed
--   is stale (nothing is changed then).
redis.replicate_commands()

local H, player, drawn, fallback = KEYS[1], ARGV[1], ARGV[6], ARGV[10]
local pfield, ifield = "p:" .. player, "i:" .. player .. ":" .. ARGV[7]
local guess, fingerprint = ARGV[11] or "", ARGV[12] or ""
local fields = {"status", "rules", "rules_version", "seq", pfield, "t:" .. drawn, "a:" .. drawn, "a:" .. fallback, ifield}
if guess ~= "" then
  -- 10, 11, 12: the guessed day's plays of the player, awards of the drawn tier, and bounds
  fields[10], fields[11], fields[12] = "pd:" .. guess .. ":" .. player, "ad:" .. guess .. ":" .. drawn, "d:" .. guess
end
local s = redis.call("HMGET", H, unpack(fields))
if s[9] then
  local stored_fingerprint, stored = string.match(s[9], "^([^|]*)|(.*)$")
  if not stored then return s[9] end -- stored before fingerprints
  if stored_fingerprint ~= fingerprint then return "refused,idempotency_key_reused" end
  return stored
end
local status = s[1]
if not status or not s[2] then return "refused,not_published" end
-- rules: start_ms,end_ms,min_interval_ms,plays_total,plays_per_day,wins_total,fallback,fallback_coupon,moment tiers (space-separated)
local start_ms, end_ms, interval, plays_total, plays_per_day, wins_total, rules_fallback, fallback_coupon, moment_tiers =
  string.match(s[2], "^(%d+),(%d+),(%d+),(%d*),(%d*),(%d*),([^,]+),([^,]+),(.*)$")
if rules_fallback ~= fallback then return "refused,not_published" end

local now
if ARGV[8] ~= "" then
  now = tonumber(ARGV[8])
else
  local t = redis.call("TIME")
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

if status == "paused" then return "refused,paused" end
if status == "ended" or now >= tonumber(end_ms) then return "refused,ended" end
if now < tonumber(start_ms) then return "refused,not_started" end

-- The campaign-local day, looked up only when a per-day count needs it: the label of the
-- last local midnight at or before now (the first day's label is scored at the start).
local label = nil
if guess ~= "" and s[12] then
  local day_start, day_end = string.match(s[12], "^(%d+),(%d+)$")
  if now >= tonumber(day_start) and now < tonumber(day_end) then label = guess end
end
local function today()
  if not label then label = redis.call("ZREVRANGEBYSCORE", KEYS[5], now, "-inf", "LIMIT", 0, 1)[1] end
  return label
end
-- A per-day count: prefetched (index i of the HMGET) when the guess of the day was right.
local function day_count(field, i)
  if label == guess then return tonumber(s[i] or 0) end
  return tonumber(redis.call("HGET", H, field) or 0)
end

-- player: client_seed,nonce,plays,wins,last play ms
local seed, nonce, plays, wins, last = nil, 0, 0, 0, ""
if s[5] then
  local a, b, c, d, e = string.match(s[5], "^([^,]*),(%d+),(%d+),(%d+),(%d*)$")
  seed, nonce, plays, wins, last = a, tonumber(b), tonumber(c), tonumber(d), e
end
local per_day = plays_per_day ~= "" and tonumber(plays_per_day) or nil
-- Plays per day are counted only where they are limited.
local plays_today, pday_field = 0, nil
if per_day then
  pday_field = "pd:" .. today() .. ":" .. player
  plays_today = day_count(pday_field, 10)
end

interval = tonumber(interval)
if interval > 0 and last ~= "" and now - tonumber(last) < interval then return "refused,rate_limited" end
if plays_total ~= "" and plays >= tonumber(plays_total) then return "refused,limit_reached" end
if per_day and plays_today >= per_day then return "refused,limit_reached" end

if ARGV[4] == "set" or not seed or seed == "" then seed = ARGV[3] end
if seed ~= ARGV[3] or nonce ~= tonumber(ARGV[5]) then
  return "retry," .. nonce .. "," .. seed
end

local under_wins = wins_total == "" or wins < tonumber(wins_total)

local function released_unit(tier)
  return redis.call("ZRANGEBYSCORE", KEYS[3] .. tier, "-inf", now, "LIMIT", 0, 1)[1]
end

-- tier: release,stock,per_day cap,coupon
local function tier_info(packed)
  return string.match(packed, "^([^,]+),(%d+),(%d*),([^,]+)$")
end

local awarded, reason, unit, coupon, count = nil, "", nil, fallback_coupon, nil
if under_wins and moment_tiers ~= "" then
  for tier in string.gmatch(moment_tiers, "%S+") do
    unit = released_unit(tier)
    if unit then
      drawn, awarded, reason = tier, tier, "moment"
      local m = redis.call("HMGET", H, "t:" .. tier, "a:" .. tier)
      local _, _, _, c = tier_info(m[1])
      coupon, count = c, tonumber(m[2] or 0)
      break
    end
  end
end

local ad_field, ad_count = nil, 0
if not awarded and drawn ~= fallback then
  local release, stock, cap, tier_coupon = tier_info(s[6])
  local left
  if release == "moments" then
    unit = released_unit(drawn)
    left = unit ~= nil
  else
    left = tonumber(s[7] or 0) < tonumber(stock)
  end
  if left and release == "per_day" then
    -- Awards per day are counted only for per_day tiers, the only ones whose cap reads them.
    ad_field = "ad:" .. today() .. ":" .. drawn
    ad_count = day_count(ad_field, 11)
  end
  if not left then
    reason = "out_of_stock"
  elseif ad_field and ad_count >= tonumber(cap) then
    reason = "daily_limit"
  elseif not under_wins then
    reason = "player_win_limit"
  end
  if reason == "" then
    awarded, coupon, count = drawn, tier_coupon, tonumber(s[7] or 0)
  else
    unit, ad_field = nil, nil
  end
end
if not awarded then awarded, count = fallback, tonumber(s[8] or 0) end

if unit then redis.call("ZREM", KEYS[3] .. awarded, unit) end
if awarded ~= fallback then wins = wins + 1 end
local code = ""
if coupon ~= "none" then
  code = redis.call("LPOP", KEYS[4] .. awarded) or ""
end
local seq = tonumber(s[4] or 0) + 1
-- The draw's record, then the answer: the record and the player's counters (campaigns/events.py,
-- DRAW_RECORD and DRAW_ANSWER, is the one statement of this layout).
local record = string.format("%d,%d,%d,%s,%s,%s,%s,%s,%s", seq, now, nonce, seed, drawn, awarded, reason, s[3], code)
local result = string.format("ok,%s,%d,%d,%d", record, plays + 1, plays_today + 1, wins)
local changed = {"seq", seq, "a:" .. awarded, count + 1,
  pfield, string.format("%s,%d,%d,%d,%s", seed, nonce + 1, plays + 1, wins, interval > 0 and string.format("%d", now) or ""),
  ifield, fingerprint .. "|" .. result}
local n = 8
if per_day then changed[n + 1], changed[n + 2], n = pday_field, plays_today + 1, n + 2 end
if ad_field then changed[n + 1], changed[n + 2] = ad_field, ad_count + 1 end
redis.call("HSET", H, unpack(changed))
-- The draw event, packed in one field named "draw" (events.DRAW_PARTS): the record, then the
-- player, the Idempotency-Key and the openid
redis.call("XADD", KEYS[2], "*", "draw", record .. "," .. player .. "," .. ARGV[7] .. "," .. ARGV[2])
return result
