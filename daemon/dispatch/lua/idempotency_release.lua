-- A request that could not create its broadcast gives its Idempotency-Key
-- back at once (if it still holds it), so a retry need not wait for the lease.
-- KEYS[1] bc:idem:<key>   ARGV[1] owner. Returns 1 when released.
local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, 9 + #ARGV[1]) == 'pending|' .. ARGV[1] .. '|' then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
