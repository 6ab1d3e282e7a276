-- Takes over one queue entry of the stream whose holder's lease ran out
-- (by the caller's clock) or who never had one, and notes the new hold's
-- token beside the earlier ones, in one step: the caller learns which
-- tokens the dead holds used, so that it claims again only the recipients
-- they left `sending`. A live holder's entries are never touched, however
-- long ago it read them.
-- KEYS[1] q:<priority>:<id>   KEYS[2] q:holds   KEYS[3] q:leases
-- ARGV[1] consumer group   ARGV[2] consumer   ARGV[3] now (ms)   ARGV[4] new owner token
-- Returns {entry id, fields, earlier tokens}, or an empty array.
local pending = redis.call('XPENDING', KEYS[1], ARGV[1])
local holders = pending[4]
if not holders then return {} end
local now = tonumber(ARGV[3])
for _, holder in ipairs(holders) do
  local name = holder[1]
  local lease = redis.call('ZSCORE', KEYS[3], name)
  if name ~= ARGV[2] and (not lease or tonumber(lease) < now) then
    local p = redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, name)[1]
    local claimed = p and redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, p[1])[1]
    if claimed then
      local field = KEYS[1] .. '|' .. claimed[1]
      local earlier = redis.call('HGET', KEYS[2], field) or ''
      redis.call('HSET', KEYS[2], field, earlier .. ARGV[4])
      return {claimed[1], claimed[2], earlier}
    end
  end
end
return {}
