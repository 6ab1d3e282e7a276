-- Delivery reports from a provider's webhook, matched by the provider's
-- message id, all in one call. One that arrives before the dispatcher
-- recorded the message id is parked in the hash pm-early:<provider>
-- (message id -> "state|parked at (s)|reason"; it holds 100,000 at most,
-- expires ten minutes after the last one parked, and record_window.lua
-- applies one when the id is recorded only if it was parked less than ten
-- minutes before: a report for an id nobody sent yet cannot wait for a
-- message sent later).
-- The caller read each report's mapping first (MGET) and names the keys of
-- the chunks they point to; a mapping that changed since (written by the
-- dispatcher meanwhile) answers "again", and the caller reads it anew.
-- KEYS[1] pm-early:<provider>   KEYS[2] bc:ended
-- KEYS[3 ...] each report's pm:<provider>:<message id>, in order, then the chunks' keys (seven each, chunk_keys_at)
-- ARGV groups of five: message id, new state code, reason, the mapping as read ("" none),
-- KEYS index of its chunk's keys (0 with no mapping).
-- Returns, per report, "applied", "fallback", "stale", "early", "early_dropped" or "again".
ended_set_is(KEYS[2])
local early = KEYS[1]
local now = tonumber(redis.call('TIME')[1])
local reports = #ARGV / 5
local refs = reports > 0 and redis.call('MGET', unpack(KEYS, 3, 2 + reports)) or {}
local outcomes = {}
for r = 1, reports do
  local a = (r - 1) * 5
  local message_id, new, reason, seen, base = ARGV[a + 1], tonumber(ARGV[a + 2]), ARGV[a + 3], ARGV[a + 4], tonumber(ARGV[a + 5])
  local ref = refs[r] or ''
  if ref ~= seen then
    outcomes[r] = 'again'
  elseif ref == '' then
    -- Parked reports move forward too: several may come before the id is
    -- recorded (Kannel reports each part of a long SMS, "delivered" then
    -- "accepted by the SMSC"); the most advanced one is kept.
    local parked = redis.call('HGET', early, message_id)
    local parked_state = -1
    if parked then
      -- One parked ten minutes or more ago is as good as none: it may not
      -- keep a later report for the same id out.
      local bar = string.find(parked, '|', 1, true)
      local second = string.find(parked, '|', bar + 1, true)
      local parked_at = second and tonumber(string.sub(parked, bar + 1, second - 1))
      if parked_at and now - parked_at < 600 then parked_state = tonumber(string.sub(parked, 1, bar - 1)) end
    end
    if parked or redis.call('HLEN', early) < 100000 then
      if new > parked_state then
        redis.call('HSET', early, message_id, new .. '|' .. now .. '|' .. reason)
        redis.call('EXPIRE', early, '600')
      end
      outcomes[r] = 'early'
    else
      -- Bounded: 100,000 parked per provider (reports for ids nobody sent
      -- do not pile up); the recipient ends by its report timeout instead.
      outcomes[r] = 'early_dropped'
    end
  elseif base == 0 then
    outcomes[r] = 'stale'  -- a mapping the caller could not read as a recipient's ref
  else
    local _, k, i, ci, channel, unit = parse_ref(ref)
    outcomes[r] = apply_report(chunk_keys_at(base), k, i, ci, channel, unit, new, reason)
  end
end
flush()
return outcomes
