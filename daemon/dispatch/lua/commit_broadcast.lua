-- Makes a broadcast whose recipients are written exist, atomically: its
-- hash, its counters and its queue (one entry per chunk), active now or
-- scheduled, and its Idempotency-Key marked done, but only if this request
-- still holds that key (a request whose lease ran out and was taken over
-- writes nothing, so two requests with one key never make two broadcasts).
-- KEYS[1] bc:<id>   KEYS[2] bc:<id>:c   KEYS[3] q:<priority>:<id>   KEYS[4] q:active:<priority>
-- KEYS[5] q:scheduled   KEYS[6] bc:idem:<key> (any key name when there is none)   KEYS[7] bc:made (the listing's index)
-- ARGV[1] owner ("" without a key)   ARGV[2] body hash   ARGV[3] key lifetime (s)   ARGV[4] broadcast id
-- ARGV[5] chunks   ARGV[6] due ms ("" to be active now)   ARGV[7] priority
-- ARGV[8] a scheduled broadcast's version being started ("" a new broadcast)   ARGV[9] the starter's owner token
-- ARGV[10] number of broadcast fields, then field/value pairs; then the number of counters, then field/value pairs.
-- Returns "ok", or "lost" when another request took the key over, or the
-- scheduled broadcast being started was changed, cancelled or taken over
-- by another starter meanwhile.
if ARGV[1] ~= '' then
  local v = redis.call('GET', KEYS[6]) or ''
  if string.sub(v, 1, 9 + #ARGV[1]) ~= 'pending|' .. ARGV[1] .. '|' then return 'lost' end
end
if ARGV[8] ~= '' then
  local meta = redis.call('HMGET', KEYS[1], 'state', 'version', 'starting')
  local starter = string.match(meta[3] or '', '^([^|]*)|')
  if meta[1] ~= 'scheduled' or meta[2] ~= ARGV[8] or starter ~= ARGV[9] then return 'lost' end
  -- Started: no longer a planned broadcast (even one waiting again for a promotional window), never changed or started again.
  redis.call('HDEL', KEYS[1], 'starting', 'version')
end
local at = 11
local fields = {}
for _ = 1, tonumber(ARGV[10]) do
  fields[#fields + 1] = ARGV[at]
  fields[#fields + 1] = ARGV[at + 1]
  at = at + 2
end
redis.call('HSET', KEYS[1], unpack(fields))
local counters = {}
for _ = 1, tonumber(ARGV[at]) do
  counters[#counters + 1] = ARGV[at + 1]
  counters[#counters + 1] = ARGV[at + 2]
  at = at + 2
end
if #counters > 0 then redis.call('HSET', KEYS[2], unpack(counters)) end
local chunks = tonumber(ARGV[5])
if chunks > 0 then
  redis.call('XGROUP', 'CREATE', KEYS[3], 'dispatch', '0', 'MKSTREAM')
  for k = 0, chunks - 1 do redis.call('XADD', KEYS[3], '*', 'k', string.format('%d', k)) end
  if ARGV[6] ~= '' then
    redis.call('ZADD', KEYS[5], ARGV[6], ARGV[7] .. '|' .. KEYS[3])
  else
    redis.call('SADD', KEYS[4], KEYS[3])
  end
end
if ARGV[1] ~= '' then redis.call('SET', KEYS[6], 'done|' .. ARGV[2] .. '|' .. ARGV[4], 'EX', ARGV[3]) end
local t = redis.call('TIME')
redis.call('ZADD', KEYS[7], 'NX', string.format('%d', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)), ARGV[4])
return 'ok'
