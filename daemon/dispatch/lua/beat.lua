-- An instance's heartbeat: its lease runs to `until` (its own clock, ms), so
-- no other instance takes over what it holds before then. Also tells which
-- of the entries it believes it holds another instance took over meanwhile
-- (it stalled past its lease), so their workers write nothing more.
-- Instances beat before they read anything, so a holder with no lease at
-- all is not a running instance. Leases older than a day are dropped.
-- KEYS[1] q:leases, then the streams of the entries held
-- ARGV[1] consumer group   ARGV[2] consumer   ARGV[3] lease until (ms)
-- ARGV[4] now (ms), then one entry id per stream
-- Returns the (0-based) positions of the entries lost.
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', tonumber(ARGV[4]) - 86400000))
local lost = {}
for n = 2, #KEYS do
  local id = ARGV[n + 3]
  local p = redis.call('XPENDING', KEYS[n], ARGV[1], id, id, 1)[1]
  if not (p and p[2] == ARGV[2]) then lost[#lost + 1] = n - 2 end
end
return lost
