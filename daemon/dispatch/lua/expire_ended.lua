-- Gives an ended broadcast's per-recipient records (its chunks' contacts,
-- states and retry due times) and failure reasons their retention
-- (`retention_s`, from broadcasts.retention_days), and takes it out of
-- bc:ended. Its hash and counters stay. The caller names the keys from
-- the broadcast's chunk count.
-- KEYS[1] bc:ended   KEYS[2] bc:<id>   KEYS[3 ...] the keys to expire
-- ARGV[1] broadcast id
-- Returns how many keys were given an expiry.
local keep = tonumber(redis.call('HGET', KEYS[2], 'retention_s'))
local given = 0
if keep and keep > 0 then
  for n = 3, #KEYS do given = given + redis.call('EXPIRE', KEYS[n], keep) end
end
redis.call('SREM', KEYS[1], ARGV[1])
return given
