-- Applies a delivery report (new state code: delivered, read or failed) to
-- recipient i of chunk k, moving its state only forward (sent or
-- unconfirmed < delivered < read; failed only from sent or unconfirmed, and
-- on to the policy's next channel when there is one). A report about a
-- channel the recipient has since left is stale. K: as fall_back's.
local rank = {[STATE.sent] = 1, [STATE.unconfirmed] = 1, [STATE.delivered] = 2, [STATE.read] = 3, [STATE.failed] = 2}
local function apply_report(K, k, i, ci, channel, unit, new, reason)
  local cur, cur_channel, attempts = record_of(K.states, i)
  if cur == nil or cur_channel ~= ci or rank[cur] == nil or cur == STATE.failed or rank[new] == nil then return 'stale' end
  if new == STATE.failed and cur ~= STATE.sent and cur ~= STATE.unconfirmed then return 'stale' end
  if new ~= STATE.failed and rank[new] <= rank[cur] then return 'stale' end
  broadcast_of_counters[K.counters] = K.broadcast
  if new == STATE.failed and cur == STATE.sent and fall_back(K, k, i, channel, unit, 'sent') then
    note_failure(K.failures, k, i, ci, channel .. ': ' .. reason .. ' (fell back)')
    return 'fallback'
  end
  set_record(K.states, i, new, cur_channel, attempts)
  move_counters(K.counters, STATE_NAME[cur], channel, STATE_NAME[new], channel, unit)
  if new == STATE.failed then note_failure(K.failures, k, i, ci, channel .. ': ' .. reason) end
  return 'applied'
end

-- The keys of one chunk, seven in a row from KEYS[base], as
-- tracking/chunk_keys.hpp names them: the caller read the stored reference
-- (a report's mapping, a report-timeout entry) first.
local function chunk_keys_at(base)
  return {broadcast = KEYS[base], states = KEYS[base + 1], counters = KEYS[base + 2], failures = KEYS[base + 3],
          requeued = KEYS[base + 4], stream = KEYS[base + 5], active = KEYS[base + 6]}
end
