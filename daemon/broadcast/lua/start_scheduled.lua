-- Takes the start of a scheduled broadcast (one whose audience is resolved
-- when it starts) for one starter, under a lease: the starter then writes
-- its recipients and commits them (commit_broadcast.lua checks it still
-- holds the start). Another instance's run of the same start finds it
-- taken; a starter that died leaves it to be taken again when the lease
-- runs out.
-- KEYS[1] bc:<id>
-- ARGV[1] the version planned to start   ARGV[2] owner token   ARGV[3] now (ms)   ARGV[4] lease (ms)
-- Returns "ok"; "busy|<ms its hold runs to>" while another starter holds it; "stale" when the
-- broadcast was changed since (a later version starts in its place); or
-- the state it is in when it is not waiting to start ("cancelled"...; "" when there is none).
local meta = redis.call('HMGET', KEYS[1], 'state', 'version', 'starting')
if meta[1] ~= 'scheduled' or not meta[2] then return meta[1] or '' end
if meta[2] ~= ARGV[1] then return 'stale' end
local owner, till = string.match(meta[3] or '', '^([^|]*)|(%d+)$')
if owner and owner ~= ARGV[2] and tonumber(till) > tonumber(ARGV[3]) then return 'busy|' .. till end
redis.call('HSET', KEYS[1], 'starting', ARGV[2] .. '|' .. string.format('%d', tonumber(ARGV[3]) + tonumber(ARGV[4])))
return 'ok'
