-- Delivery reports from a provider's webhook, matched by the provider's
-- message id, all in one call. One that arrives before the dispatcher
-- recorded the message id is parked in the hash pm-early:<provider>
-- (message id -> "state|reason"; it expires a day after the last one
-- parked, and holds 100,000 at most); record_window.lua applies it when
-- the id is recorded.
-- The keys of the recipients come from the stored mappings (keys_for).
-- ARGV[1] key prefix   ARGV[2] provider
-- ARGV then groups of three: message id, new state code, reason.
-- Returns, per report, "applied", "fallback", "stale", "early" or "early_dropped".
local prefix, provider = ARGV[1], ARGV[2]
local pm, keys = prefix .. 'pm:' .. provider .. ':', {}
for n = 3, #ARGV, 3 do keys[#keys + 1] = pm .. ARGV[n] end
local refs = #keys > 0 and redis.call('MGET', unpack(keys)) or {}
local outcomes = {}
for n = 3, #ARGV, 3 do
  local ref = refs[(n - 3) / 3 + 1]
  if not ref then
    -- Parked reports move forward too: several may come before the id is
    -- recorded (Kannel reports each part of a long SMS, "delivered" then
    -- "accepted by the SMSC"); the most advanced one is kept.
    local early = prefix .. 'pm-early:' .. provider
    local parked = redis.call('HGET', early, ARGV[n])
    local parked_state = parked and tonumber(string.sub(parked, 1, string.find(parked, '|', 1, true) - 1)) or -1
    if parked or redis.call('HLEN', early) < 100000 then
      if tonumber(ARGV[n + 1]) > parked_state then
        redis.call('HSET', early, ARGV[n], ARGV[n + 1] .. '|' .. ARGV[n + 2])
        redis.call('EXPIRE', early, '86400')
      end
      outcomes[#outcomes + 1] = 'early'
    else
      -- Bounded: 100,000 parked per provider (reports for ids nobody sent
      -- do not pile up); the recipient ends by its report timeout instead.
      outcomes[#outcomes + 1] = 'early_dropped'
    end
  else
    local id, k, i, ci, channel, unit = parse_ref(ref)
    outcomes[#outcomes + 1] = apply_report(keys_for(prefix, id, k), k, i, ci, channel, unit, tonumber(ARGV[n + 1]), ARGV[n + 2])
  end
end
flush()
return outcomes
