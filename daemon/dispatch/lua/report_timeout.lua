-- Recipients sent but not reported on in time: each goes to its policy's
-- next channel, or, on the last one (or in a cancelled broadcast), ends
-- `unconfirmed`. An entry of q:dlr-wait names the recipients of one window
-- sent on one channel, "<id>:<k>:<channel index>:<i>,<i>,...", due at its
-- score (ms); a recipient that has moved on since (a report came, or it
-- fell back to another channel) is left alone. Records and the broadcast's
-- channel names and units are read once per call, never the message.
-- KEYS[1] q:dlr-wait   ARGV[1] now (ms)   ARGV[2] key prefix   ARGV[3] most entries to take
-- Returns {entries taken, recipients moved to another channel, recipients unconfirmed}.
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local moved, unconfirmed = 0, 0
for _, member in ipairs(due) do
  redis.call('ZREM', KEYS[1], member)
  local id, k, ci, list = string.match(member, '^([^:]+):(%d+):(%d+):(.*)$')
  ci = tonumber(ci)
  local K = keys_for(ARGV[2], id, k)
  local meta = meta_of(K.broadcast)
  local channel = meta.channels[ci + 1] or ''
  broadcast_of_counters[K.counters] = K.broadcast
  for index in string.gmatch(list, '%d+') do
    local i = tonumber(index)
    local s, current, attempts = record_of(K.states, i)
    if s == STATE.sent and current == ci then
      local unit = meta.units[unit_index_of(K.states, i) + 1] or ''
      if fall_back(K, k, i, channel, unit, 'sent') then
        note_failure(K.failures, k, i, ci, channel .. ': no delivery report in time (fell back)')
        moved = moved + 1
      else
        set_record(K.states, i, STATE.unconfirmed, current, attempts)
        move_counters(K.counters, 'sent', channel, 'unconfirmed', channel, unit)
        unconfirmed = unconfirmed + 1
      end
    end
  end
end
flush()
return {#due, moved, unconfirmed}
