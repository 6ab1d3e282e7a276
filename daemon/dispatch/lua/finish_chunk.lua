-- A queue entry is done: acknowledges and deletes it, and when the queue is
-- empty and nothing is being worked on, the stream leaves the active set.
-- Refused (-1) while a recipient is still `sending` under one of this
-- entry's holds: a chunk is never finished with someone stranded. One
-- script, so that a fallback queueing the chunk again cannot slip between
-- the check and the removal. Whether the broadcast is done follows from
-- its counters (helpers.lua, flush), not from its queue.
-- Set aside: the same, for a chunk whose recipients left all wait for
-- their retries (their due times are in bc:<id>:due:<k>): the chunk goes
-- into q:retry by its soonest due time, to be queued again then
-- (requeue_retries.lua), and no worker holds it meanwhile.
-- KEYS[1] q:<priority>:<id>   KEYS[2] q:active:<priority>   KEYS[3] bc:<id>:s:<k>   KEYS[4] q:holds
-- KEYS[5] q:retry
-- ARGV[1] consumer group   ARGV[2] entry id   ARGV[3] hold field "<stream>|<entry>"
-- ARGV[4] retry member "<stream>|<k>"   ARGV[5] soonest retry due (ms), or "" when finished
-- Returns 1 when the queue is now empty, 0 when not, -1 when refused.
local held = redis.call('HGET', KEYS[4], ARGV[3]) or ''
if held ~= '' then
  local s = redis.call('GET', KEYS[3]) or ''
  local owners = {}
  for p = 1, #held, 4 do owners[string.sub(held, p, p + 3)] = true end
  for base = 0, #s - RECORD, RECORD do
    if string.byte(s, base + 1) == STATE.sending and owners[string.sub(s, base + 9, base + 12)] then return -1 end
  end
end
if ARGV[5] ~= '' then redis.call('ZADD', KEYS[5], 'LT', ARGV[5], ARGV[4]) end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
redis.call('HDEL', KEYS[4], ARGV[3])
if redis.call('XLEN', KEYS[1]) > 0 then return 0 end
if redis.call('XPENDING', KEYS[1], ARGV[1])[1] > 0 then return 0 end
redis.call('SREM', KEYS[2], KEYS[1])
return 1
