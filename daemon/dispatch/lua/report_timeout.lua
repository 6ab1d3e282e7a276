-- Recipients sent but not reported on in time: each goes to its policy's
-- next channel, or, on the last one (or in a cancelled broadcast), ends
-- `unconfirmed`. An entry of q:dlr-wait names the recipients of one window
-- sent on one channel, "<id>:<k>:<channel index>:<i>,<i>,...", due at its
-- score (ms); a recipient that has moved on since (a report came, or it
-- fell back to another channel) is left alone. Records and the broadcast's
-- channel names and units are read once per call, never the message.
-- The caller read the due entries first (ZRANGEBYSCORE) and names their
-- chunks' keys; each entry is checked again here, so two instances never
-- both apply one.
-- KEYS[1] q:dlr-wait   KEYS[2] bc:ended   then each entry's chunk keys (seven each, chunk_keys_at)
-- ARGV[1] now (ms), then the entries.
-- Returns {entries taken, recipients moved to another channel, recipients unconfirmed}.
ended_set_is(KEYS[2])
local now = tonumber(ARGV[1])
local taken, moved, unconfirmed = 0, 0, 0
for e = 2, #ARGV do
  local member = ARGV[e]
  local due = tonumber(redis.call('ZSCORE', KEYS[1], member))
  if due and due <= now then
    redis.call('ZREM', KEYS[1], member)
    taken = taken + 1
    local _, k, ci, list = string.match(member, '^([^:]+):(%d+):(%d+):(.*)$')
    ci = tonumber(ci)
    local K = chunk_keys_at(3 + (e - 2) * 7)
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
end
flush()
return {taken, moved, unconfirmed}
