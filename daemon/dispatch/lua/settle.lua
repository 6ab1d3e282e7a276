-- Ends recipients that will not be sent (cancelled or expired), or hands
-- them back to the queue (a graceful stop), each only if it is `queued` or
-- `sending` under this hold's token, and moves the counters with them.
-- KEYS[1] bc:<id>:s:<k>   KEYS[2] bc:<id>:c   KEYS[3] bc:<id>   KEYS[4] bc:ended
-- ARGV[1] new state code   ARGV[2] owner token
-- ARGV then groups of three: index, channel name, unit.
-- Returns how many were moved.
ended_set_is(KEYS[4])
local to, token, moved = tonumber(ARGV[1]), ARGV[2], 0
broadcast_of_counters[KEYS[2]] = KEYS[3]
for n = 3, #ARGV, 3 do
  local i = tonumber(ARGV[n])
  local s, channel, attempts = record_of(KEYS[1], i)
  if s ~= to and (s == STATE.queued or (s == STATE.sending and owner_of(KEYS[1], i) == token)) then
    set_record(KEYS[1], i, to, channel, attempts)
    move_counters(KEYS[2], STATE_NAME[s], ARGV[n + 1], STATE_NAME[to], ARGV[n + 1], ARGV[n + 2])
    moved = moved + 1
  end
end
flush()
return moved
