-- Schedules one item, once: an item id already known (scheduled, running
-- or finished) is left as it is, so whoever plans the same work again —
-- a retried request, a second instance — adds nothing.
-- KEYS[1] sch:due   KEYS[2] sch:item:<id>
-- ARGV[1] id   ARGV[2] due (ms)   ARGV[3] kind   ARGV[4] payload (JSON)   ARGV[5] now (RFC 3339)
-- Returns 1 when scheduled, 0 when the id was known.
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('HSET', KEYS[2], 'kind', ARGV[3], 'payload', ARGV[4], 'due', ARGV[2], 'state', 'scheduled', 'attempts', '0',
           'created_at', ARGV[5])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return 1
