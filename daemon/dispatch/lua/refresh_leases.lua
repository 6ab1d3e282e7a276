-- Keeps the leases of the queue entries this instance holds: each is
-- claimed again (its idle time reset) only if this consumer still owns it,
-- so a late refresh never takes back an entry another instance took over.
-- KEYS the streams; ARGV[1] consumer group, ARGV[2] consumer, then one
-- entry id per key. Returns the (0-based) positions of the entries lost.
local lost = {}
for n = 1, #KEYS do
  local id = ARGV[n + 2]
  local p = redis.call('XPENDING', KEYS[n], ARGV[1], id, id, 1)[1]
  if p and p[2] == ARGV[2] then
    redis.call('XCLAIM', KEYS[n], ARGV[1], ARGV[2], 0, id, 'JUSTID')
  else
    lost[#lost + 1] = n - 1
  end
end
return lost
