-- Ends recipients that will not be sent (cancelled or expired), each only
-- if it is `queued`, or `sending` under this hold's token or one of the
-- entry's earlier (dead) holds — a takeover of a cancelled broadcast ends
-- what the dead hold left — and moves the counters with them.
-- KEYS[1] bc:<id>:s:<k>   KEYS[2] bc:<id>:c   KEYS[3] bc:<id>   KEYS[4] bc:ended
-- ARGV[1] new state code   ARGV[2] owner token   ARGV[3] the entry's earlier tokens (4 bytes each)
-- ARGV then groups of three: index, channel name, unit.
-- Returns how many were moved.
ended_set_is(KEYS[4])
local to, token, earlier, moved = tonumber(ARGV[1]), ARGV[2], ARGV[3], 0
broadcast_of_counters[KEYS[2]] = KEYS[3]
for n = 4, #ARGV, 3 do
  local i = tonumber(ARGV[n])
  local s, channel, attempts = record_of(KEYS[1], i)
  local owner = s == STATE.sending and owner_of(KEYS[1], i)
  if s ~= to and (s == STATE.queued or owner == token or (owner and among(earlier, owner))) then
    set_record(KEYS[1], i, to, channel, attempts)
    move_counters(KEYS[2], STATE_NAME[s], ARGV[n + 1], STATE_NAME[to], ARGV[n + 1], ARGV[n + 2])
    moved = moved + 1
  end
end
flush()
return moved
