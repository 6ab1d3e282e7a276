-- Changes a scheduled broadcast that has not started: its request, message,
-- audience and send time, if the caller read the version it changes
-- (If-Match). The version goes up by one: the start planned for the old one
-- does nothing, the caller plans the new one's.
-- KEYS[1] bc:<id>
-- ARGV[1] the version the caller read   ARGV[2] now (ms)
-- ARGV[3...] field/value pairs to write
-- Returns the new version (an integer); or "stale" (another change came
-- first), "starting" (it is being started now), or the state it is in
-- when it is no longer waiting to start ("" when there is none).
local meta = redis.call('HMGET', KEYS[1], 'state', 'version', 'starting')
if meta[1] ~= 'scheduled' or not meta[2] then return meta[1] or '' end
local till = tonumber(string.match(meta[3] or '', '|(%d+)$') or '0')
if till > tonumber(ARGV[2]) then return 'starting' end
if meta[2] ~= ARGV[1] then return 'stale' end
if #ARGV > 2 then redis.call('HSET', KEYS[1], unpack(ARGV, 3)) end
return redis.call('HINCRBY', KEYS[1], 'version', 1)
