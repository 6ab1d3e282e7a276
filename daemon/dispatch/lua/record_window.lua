-- A window's outcomes in one atomic step, only if this hold still owns
-- every recipient of it: the state records (a run of neighbours as one
-- SETRANGE), the counter moves, failure reasons, report-timeout entries,
-- retry due times, dead app tokens, and the provider-id mappings (with any report that beat
-- them). Either all of it is written or none, so the caller may send it
-- again after an error or a lost answer: a second run finds the records
-- already written and changes nothing.
-- KEYS[1] bc:<id>:s:<k>   KEYS[2] bc:<id>:c   KEYS[3] bc:<id>:f   KEYS[4] q:dlr-wait
-- KEYS[5] push:dead   KEYS[6] bc:<id>   KEYS[7] bc:<id>:rq:<k>   KEYS[8] q:<priority>:<id>
-- KEYS[9] q:active:<priority>   KEYS[10] bc:<id>:due:<k>   KEYS[11] bc:ended
-- KEYS[12...] pm-early:<provider> and pm:<provider>:<message id> keys
-- ARGV[1] owner token   ARGV[2] chunk number   ARGV[3] mapping lifetime (s)
-- then sections, each a count and that many groups:
--   runs (first index, new records)   counters (field, delta)   failures (field, why)
--   report waits (due ms, entry)   retries (recipient index, due ms)   dead tokens (app token, why)
--   providers (KEYS index of pm-early, count, then per mapping: KEYS index of pm, message id, ref)
-- Returns {"written", early reports applied}, {"already", 0}, or {"lost", 0}
-- when another hold owns a recipient now (nothing written).
ended_set_is(KEYS[11])
local token, k, ttl = ARGV[1], ARGV[2], ARGV[3]
local at = 4
local function next_arg() local v = ARGV[at] at = at + 1 return v end

-- Check: each recipient is `sending` under this token, or already shows
-- exactly the record this call would write.
local runs, fresh, already = {}, 0, 0
for _ = 1, tonumber(next_arg()) do
  local first, bytes = tonumber(next_arg()), next_arg()
  local current = redis.call('GETRANGE', KEYS[1], int(first * RECORD), int(first * RECORD + #bytes - 1))
  for base = 0, #bytes - RECORD, RECORD do
    local now = string.sub(current, base + 1, base + RECORD)
    if now == string.sub(bytes, base + 1, base + RECORD) then
      already = already + 1
    elseif string.byte(now, 1) == STATE.sending and string.sub(now, 9, 12) == token then
      fresh = fresh + 1
    else
      return {'lost', 0}
    end
  end
  runs[#runs + 1] = {first, bytes}
end
if fresh == 0 then return {'already', 0} end
if already > 0 then return {'lost', 0} end

for _, run in ipairs(runs) do redis.call('SETRANGE', KEYS[1], int(run[1] * RECORD), run[2]) end
for _ = 1, tonumber(next_arg()) do redis.call('HINCRBY', KEYS[2], next_arg(), next_arg()) end
for _ = 1, tonumber(next_arg()) do redis.call('HSET', KEYS[3], next_arg(), next_arg()) end
for _ = 1, tonumber(next_arg()) do redis.call('ZADD', KEYS[4], next_arg(), next_arg()) end
for _ = 1, tonumber(next_arg()) do redis.call('HSET', KEYS[10], next_arg(), next_arg()) end
for _ = 1, tonumber(next_arg()) do redis.call('HSETNX', KEYS[5], next_arg(), next_arg()) end

-- The mappings, and reports that came before them (parked "early").
local K = {broadcast = KEYS[6], states = KEYS[1], counters = KEYS[2], failures = KEYS[3], requeued = KEYS[7],
           stream = KEYS[8], active = KEYS[9]}
broadcast_of_counters[KEYS[2]] = KEYS[6]
local applied = 0
for _ = 1, tonumber(next_arg()) do
  local early_key = KEYS[tonumber(next_arg())]
  local any_early = redis.call('EXISTS', early_key) == 1
  for _ = 1, tonumber(next_arg()) do
    local pm_key, message_id, ref = KEYS[tonumber(next_arg())], next_arg(), next_arg()
    redis.call('SET', pm_key, ref, 'EX', ttl)
    local early = any_early and redis.call('HGET', early_key, message_id)
    if early then
      redis.call('HDEL', early_key, message_id)
      -- "state|parked at (s)|reason": one parked ten minutes or more ago is
      -- not this message's (its id was reported before anyone sent it).
      local bar = string.find(early, '|', 1, true)
      local second = string.find(early, '|', bar + 1, true)
      local parked_at = second and tonumber(string.sub(early, bar + 1, second - 1))
      if parked_at and tonumber(redis.call('TIME')[1]) - parked_at < 600 then
        local _, _, i, ci, channel, unit = parse_ref(ref)
        apply_report(K, k, i, ci, channel, unit, tonumber(string.sub(early, 1, bar - 1)), string.sub(early, second + 1))
        applied = applied + 1
      end
    end
  end
end
flush()
-- The window's own counter moves came as HINCRBYs: it may have ended the broadcast.
done_if_ended(KEYS[2], KEYS[6])
return {'written', applied}
