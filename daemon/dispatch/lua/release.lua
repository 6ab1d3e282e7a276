-- A graceful stop hands a queue entry back: recipients this hold claimed
-- and did not send go back to `queued` (with their counters), and the
-- entry is replaced by a fresh one, which any instance reads at once (no
-- wait for the lease) and which no earlier hold owns.
-- KEYS[1] q:<priority>:<id>   KEYS[2] q:active:<priority>   KEYS[3] q:holds
-- KEYS[4] bc:<id>:s:<k>   KEYS[5] bc:<id>:c   KEYS[6] bc:<id>
-- ARGV[1] consumer group   ARGV[2] entry id   ARGV[3] hold field   ARGV[4] owner token   ARGV[5] chunk number
-- ARGV[6] consumer, then groups of three: index, channel name, unit.
-- Returns how many recipients went back to the queue, or -2 when the entry
-- is no longer this consumer's (taken over: the new holder has it all).
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)[1]
if not p or p[2] ~= ARGV[6] then return -2 end
local token, moved = ARGV[4], 0
broadcast_of_counters[KEYS[5]] = KEYS[6]
for n = 7, #ARGV, 3 do
  local i = tonumber(ARGV[n])
  local s, channel, attempts = record_of(KEYS[4], i)
  if s == STATE.sending and owner_of(KEYS[4], i) == token then
    set_record(KEYS[4], i, STATE.queued, channel, attempts)
    move_counters(KEYS[5], 'sending', ARGV[n + 1], 'queued', ARGV[n + 1], ARGV[n + 2])
    moved = moved + 1
  end
end
flush()
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
redis.call('HDEL', KEYS[3], ARGV[3])
redis.call('XADD', KEYS[1], '*', 'k', ARGV[5])
redis.call('SADD', KEYS[2], KEYS[1])
return moved
