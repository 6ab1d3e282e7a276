-- An item's run ended: done, to be retried at a later time, or failed for
-- good. Only an item still running (under a lease) is finished: one whose
-- lease ran out and that another instance claimed is that instance's now.
-- KEYS[1] sch:running   KEYS[2] sch:due   KEYS[3] sch:item:<id>
-- ARGV[1] id   ARGV[2] 'done' | 'retry' | 'failed'   ARGV[3] retry due (ms)   ARGV[4] now (RFC 3339)   ARGV[5] error
-- ARGV[6] how long a finished item is kept (s)
-- Returns 1 when finished here, 0 when it was no longer running.
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
if ARGV[2] == 'retry' then
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
  redis.call('HSET', KEYS[3], 'state', 'scheduled', 'due', ARGV[3], 'last_error', ARGV[5])
  return 1
end
redis.call('HSET', KEYS[3], 'state', ARGV[2], 'finished_at', ARGV[4], 'last_error', ARGV[5])
redis.call('EXPIRE', KEYS[3], ARGV[6])
return 1
