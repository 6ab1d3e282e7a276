-- Cancels a broadcast: nothing more of it is sent. Every instance learns
-- of it within a poll (the dispatcher watches bc:cancel-seq every 20 ms and
-- reads the new ids from bc:cancelled) and checks it right before each
-- provider request; what is still queued is settled `cancelled` by the
-- dispatchers, so its queue is made active even if it was scheduled for
-- later, and its chunks set aside to wait for retries are queued again
-- now. A finished (done) or already cancelled broadcast is left as it is.
-- KEYS[1] bc:<id>   KEYS[2] q:scheduled   KEYS[3] bc:cancel-seq   KEYS[4] bc:cancelled (zset id by sequence)
-- KEYS[5] q:<priority>:<id> for each priority, urgent, normal, bulk (KEYS[5..7]), then q:active:<priority> (KEYS[8..10])
-- KEYS[11] q:retry
-- ARGV[1] broadcast id   ARGV[2] now (RFC 3339)
-- Returns the previous state, or nil when there is no such broadcast.
local meta = redis.call('HMGET', KEYS[1], 'state', 'priority')
if not meta[1] then return nil end
if meta[1] == 'cancelled' or meta[1] == 'done' or meta[1] == 'not_sent' then return meta[1] end
redis.call('HSET', KEYS[1], 'state', 'cancelled', 'cancelled_at', ARGV[2])
local seq = redis.call('INCR', KEYS[3])
redis.call('ZADD', KEYS[4], seq, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', seq - 10000)  -- the newest 10,000 are plenty for instances to catch up
local p = ({urgent = 0, normal = 1, bulk = 2})[meta[2]] or 1
local stream, active = KEYS[5 + p], KEYS[8 + p]
redis.call('ZREM', KEYS[2], meta[2] .. '|' .. stream)
-- Cancels are rare: a scan of q:retry (one member per chunk waiting for a
-- retry; some thousands in a provider outage) costs a few milliseconds.
local mine = stream .. '|'
for _, member in ipairs(redis.call('ZRANGE', KEYS[11], 0, -1)) do
  if string.sub(member, 1, #mine) == mine then
    redis.call('ZREM', KEYS[11], member)
    redis.call('XADD', stream, '*', 'k', string.sub(member, #mine + 1))
  end
end
if redis.call('EXISTS', stream) == 1 and redis.call('XLEN', stream) > 0 then redis.call('SADD', active, stream) end
return meta[1]
