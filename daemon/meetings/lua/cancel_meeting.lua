-- Cancels a meeting: `state` cancelled, out of the open meetings (a reply
-- without a code no longer goes to it), and its code no longer names it (a
-- "YES 47" is not counted) though no other meeting gets that code for 30
-- days. One script, so a reply never sees half of it.
-- KEYS[1] mt:<id>   KEYS[2] mt:open   KEYS[3] mt:codes   KEYS[4] mt:code-owner
-- ARGV[1] now (RFC 3339)   ARGV[2] reason   ARGV[3] now (ms)
-- Returns 1 when cancelled now, 0 when it already was, -1 when there is no such meeting.
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return -1 end
if state == 'cancelled' then return 0 end
local id = redis.call('HGET', KEYS[1], 'id')
redis.call('HSET', KEYS[1], 'state', 'cancelled', 'cancelled_at', ARGV[1], 'cancel_reason', ARGV[2])
redis.call('ZREM', KEYS[2], id)
local code = redis.call('HGET', KEYS[1], 'code')
if code then
  if redis.call('HGET', KEYS[4], code) == id then redis.call('HDEL', KEYS[4], code) end
  redis.call('ZADD', KEYS[3], 'GT', tonumber(ARGV[3]) + 30 * 86400000, code)
end
return 1
