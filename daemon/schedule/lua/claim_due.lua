-- Claims due items for this instance: each goes from sch:due to
-- sch:running with a lease, so no other instance claims it while it runs.
-- An item whose lease ran out (its instance died mid-run) is due again.
-- KEYS[1] sch:due   KEYS[2] sch:running
-- ARGV[1] now (ms)   ARGV[2] lease (ms)   ARGV[3] most items to claim
-- Returns the ids claimed.
local now, lease = tonumber(ARGV[1]), tonumber(ARGV[2])
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)) do
  redis.call('ZREM', KEYS[2], id)
  redis.call('ZADD', KEYS[1], now, id)
end
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(due) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZADD', KEYS[2], string.format('%d', now + lease), id)
end
return due
