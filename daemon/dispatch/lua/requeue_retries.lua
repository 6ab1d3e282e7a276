-- Chunks set aside to wait for their retries whose soonest retry is due
-- go back into their queue: a new entry, read by any instance, whose
-- reader honours each recipient's own due time (bc:<id>:due:<k>). The
-- caller reads the due members first (ZRANGEBYSCORE) and names their keys;
-- each is checked again here, so two instances never queue one twice.
-- KEYS[1] q:retry, then for each member three: q:<priority>:<id>, q:active:<priority>, bc:<id>:rq:<k>
-- ARGV[1] now (ms), then for each member: the member "<stream>|<k>", the chunk number k
-- Returns how many chunks were queued again.
local now, queued = tonumber(ARGV[1]), 0
for n = 2, #ARGV, 2 do
  local member, k = ARGV[n], ARGV[n + 1]
  local base = 1 + (n / 2 - 1) * 3
  local due = tonumber(redis.call('ZSCORE', KEYS[1], member))
  if due and due <= now then
    redis.call('ZREM', KEYS[1], member)
    -- An entry for this chunk not yet read already carries it (the mark is
    -- cleared when a worker reads the chunk).
    if redis.call('SET', KEYS[base + 3], '1', 'NX', 'EX', 604800) then
      redis.call('XADD', KEYS[base + 1], '*', 'k', k)
      redis.call('SADD', KEYS[base + 2], KEYS[base + 1])
      queued = queued + 1
    end
  end
end
return queued
