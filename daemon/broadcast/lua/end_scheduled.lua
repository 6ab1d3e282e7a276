-- Ends a scheduled broadcast that will not be sent (its author is gone, its
-- audience now matches no one, it came too late after an outage...), with
-- why, if it is still that version waiting to start.
-- KEYS[1] bc:<id>
-- ARGV[1] version   ARGV[2] the starter's owner token ("" none taken)   ARGV[3] why   ARGV[4] now (RFC 3339)
-- Returns 1 when ended, 0 when it was no longer waiting to start.
local meta = redis.call('HMGET', KEYS[1], 'state', 'version', 'starting')
if meta[1] ~= 'scheduled' or meta[2] ~= ARGV[1] then return 0 end
local starter = string.match(meta[3] or '', '^([^|]*)|')
if starter and starter ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], 'starting')
redis.call('HSET', KEYS[1], 'state', 'not_sent', 'not_sent_because', ARGV[3], 'ended_at', ARGV[4])
return 1
