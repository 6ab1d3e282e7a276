-- Takes over one queue entry whose hold stopped refreshing its lease
-- (XAUTOCLAIM), and notes the new hold's token beside the earlier ones, in
-- one step: the caller learns which tokens the dead holds used, so that it
-- claims again only the recipients they left `sending`.
-- KEYS[1] q:<priority>:<id>   KEYS[2] q:holds
-- ARGV[1] consumer group   ARGV[2] consumer   ARGV[3] lease (ms)   ARGV[4] new owner token
-- Returns {entry id, fields, earlier tokens}, or an empty array.
local r = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], '0-0', 'COUNT', '1')
local entry = r[2][1]
if not entry then return {} end
local field = KEYS[1] .. '|' .. entry[1]
local earlier = redis.call('HGET', KEYS[2], field) or ''
redis.call('HSET', KEYS[2], field, earlier .. ARGV[4])
return {entry[1], entry[2], earlier}
