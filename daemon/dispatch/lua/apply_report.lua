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

-- The keys of chunk k of broadcast `id`, for the two scripts whose
-- recipients come from stored references (a report's provider-id mapping,
-- a report-timeout entry) and so cannot be named by the caller beforehand.
local function keys_for(prefix, id, k)
  local b = prefix .. 'bc:' .. id
  local K = {broadcast = b, states = b .. ':s:' .. k, counters = b .. ':c', failures = b .. ':f', requeued = b .. ':rq:' .. k}
  local priority = meta_of(b).priority or 'normal'
  K.stream = prefix .. 'q:' .. priority .. ':' .. id
  K.active = prefix .. 'q:active:' .. priority
  return K
end
