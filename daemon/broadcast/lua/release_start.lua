-- Lets go of a scheduled broadcast's start that this starter took but could
-- not finish (Redis away, no directory yet): the scheduler's retry, on any
-- instance, can take it at once rather than when the hold runs out.
-- KEYS[1] bc:<id>
-- ARGV[1] the starter's owner token
-- Returns 1 when let go, 0 when it was not this starter's.
local starting = redis.call('HGET', KEYS[1], 'starting') or ''
if string.sub(starting, 1, #ARGV[1] + 1) ~= ARGV[1] .. '|' then return 0 end
redis.call('HDEL', KEYS[1], 'starting')
return 1
