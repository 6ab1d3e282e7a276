-- A queue entry is done: acknowledges and deletes it, and when the queue is
-- empty and nothing is being worked on, the stream leaves the active set.
-- Whether the broadcast is done follows from its counters (helpers.lua,
-- flush), not from its queue. One script, so that a fallback queueing the
-- chunk again cannot slip between the checks and the removal.
-- - Only the consumer that holds the entry finishes it (-2 otherwise: a
--   stalled instance whose entry was taken over must not delete it).
-- - Refused (-1) while a recipient is still `sending` under one of this
--   entry's holds: a chunk is never finished with someone stranded.
-- - A recipient still `queued` that the finishing worker did not have (it
--   was written back by a stalled hold after this one read the chunk)
--   gets a fresh entry, so that nobody is left queued with no entry.
-- Set aside: the same, for a chunk whose recipients left all wait for
-- their retries (their due times are in bc:<id>:due:<k>): the chunk goes
-- into q:retry by its soonest due time, to be queued again then
-- (requeue_retries.lua), and no worker holds it meanwhile; in a broadcast
-- cancelled meanwhile it is queued again at once instead.
-- KEYS[1] q:<priority>:<id>   KEYS[2] q:active:<priority>   KEYS[3] bc:<id>:s:<k>   KEYS[4] q:holds
-- KEYS[5] q:retry   KEYS[6] bc:<id>   KEYS[7] bc:<id>:rq:<k>
-- ARGV[1] consumer group   ARGV[2] entry id   ARGV[3] hold field "<stream>|<entry>"
-- ARGV[4] retry member "<stream>|<k>"   ARGV[5] soonest retry due (ms), or "" when finished
-- ARGV[6] consumer   ARGV[7] chunk number
-- Returns 1 when the queue is now empty, 0 when not, -1 when refused, -2 when not this consumer's.
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)[1]
if not p or p[2] ~= ARGV[6] then return -2 end
local s = redis.call('GET', KEYS[3]) or ''
local held = redis.call('HGET', KEYS[4], ARGV[3]) or ''
if held ~= '' then
  local owners = {}
  for at = 1, #held, 4 do owners[string.sub(held, at, at + 3)] = true end
  for base = 0, #s - RECORD, RECORD do
    if string.byte(s, base + 1) == STATE.sending and owners[string.sub(s, base + 9, base + 12)] then return -1 end
  end
end
local function queue_again()
  if redis.call('SET', KEYS[7], '1', 'NX', 'EX', 604800) then
    redis.call('XADD', KEYS[1], '*', 'k', ARGV[7])
    redis.call('SADD', KEYS[2], KEYS[1])
  end
end
if ARGV[5] ~= '' then
  if redis.call('HGET', KEYS[6], 'state') == 'cancelled' then queue_again()
  else redis.call('ZADD', KEYS[5], 'LT', ARGV[5], ARGV[4]) end
else
  for base = 0, #s - RECORD, RECORD do
    if string.byte(s, base + 1) == STATE.queued then
      queue_again()
      break
    end
  end
end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
redis.call('HDEL', KEYS[4], ARGV[3])
if redis.call('XLEN', KEYS[1]) > 0 then return 0 end
if redis.call('XPENDING', KEYS[1], ARGV[1])[1] > 0 then return 0 end
redis.call('SREM', KEYS[2], KEYS[1])
return 1
