-- Marks an Idempotency-Key done with what its request made when that is not
-- a broadcast (a request held for approval: its approval's id), if this
-- request still holds the key. A retry is then answered with it.
-- KEYS[1] bc:idem:<key>   ARGV[1] owner   ARGV[2] body hash   ARGV[3] what was made   ARGV[4] lifetime (s)
-- Returns 1 when marked, 0 when another request holds the key.
local v = redis.call('GET', KEYS[1]) or ''
if string.sub(v, 1, 9 + #ARGV[1]) ~= 'pending|' .. ARGV[1] .. '|' then return 0 end
redis.call('SET', KEYS[1], 'done|' .. ARGV[2] .. '|' .. ARGV[3], 'EX', ARGV[4])
return 1
