-- Takes over one queue entry of the stream that no live hold works on, and
-- notes the new hold's token beside the earlier ones, in one step: the
-- caller learns which tokens the dead holds used, so that it claims again
-- only the recipients they left `sending`. An entry is taken over when its
-- holder's lease ran out (by the caller's clock) or it never had one, or
-- when the holder is the caller itself but none of its workers holds the
-- entry any more (one gave it up on a Redis failure: nobody else would
-- take it while the caller's lease lives). A live holder's entries are
-- never touched, however long ago it read them.
-- KEYS[1] q:<priority>:<id>   KEYS[2] q:holds   KEYS[3] q:leases
-- ARGV[1] consumer group   ARGV[2] consumer   ARGV[3] now (ms)   ARGV[4] new owner token
-- ARGV[5] how long (ms) an own entry must have been idle: one just read by
-- another worker of the caller, its reply still on the way, is not given up
-- ARGV[6...] the entries of this stream the caller's workers hold
-- Returns {entry id, fields, earlier tokens}, or an empty array.
local pending = redis.call('XPENDING', KEYS[1], ARGV[1])
local holders = pending[4]
if not holders then return {} end
local now = tonumber(ARGV[3])
local held = {}
for n = 6, #ARGV do held[ARGV[n]] = true end

local function claim(entry_id)
  local claimed = redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, entry_id)[1]
  if not claimed then return nil end
  local field = KEYS[1] .. '|' .. claimed[1]
  local earlier = redis.call('HGET', KEYS[2], field) or ''
  redis.call('HSET', KEYS[2], field, earlier .. ARGV[4])
  return {claimed[1], claimed[2], earlier}
end

for _, holder in ipairs(holders) do
  local name = holder[1]
  if name == ARGV[2] then
    for _, p in ipairs(redis.call('XPENDING', KEYS[1], ARGV[1], 'IDLE', ARGV[5], '-', '+', 1000, name)) do
      if not held[p[1]] then
        local taken = claim(p[1])
        if taken then return taken end
      end
    end
  else
    local lease = redis.call('ZSCORE', KEYS[3], name)
    if not lease or tonumber(lease) < now then
      local p = redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, name)[1]
      local taken = p and claim(p[1])
      if taken then return taken end
    end
  end
end
return {}
