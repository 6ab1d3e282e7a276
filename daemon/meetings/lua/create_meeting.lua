-- Makes a meeting with a short attribution code (10-999) that no meeting
-- of the last 30 days holds: replies say "YES 47". One script, so two
-- meetings made at once never get one code.
-- KEYS[1] mt:codes (code -> when it may be given again, ms)   KEYS[2] mt:code-owner (code -> meeting id)
-- KEYS[3] mt:<id>   KEYS[4] mt:open (meeting id -> ends ms)   KEYS[5] mt:by-start (meeting id -> starts ms)
-- ARGV[1] now (ms)   ARGV[2] the code may be given again from (ms)   ARGV[3] meeting id   ARGV[4] ends (ms)   ARGV[5] starts (ms)
-- ARGV then the meeting's fields, name and value.
-- Returns the code, or 0 (nothing made) when every code is in use.
local now = tonumber(ARGV[1])
local code = nil
for c = 10, 999 do
  local until_ms = tonumber(redis.call('ZSCORE', KEYS[1], c))
  if not until_ms or until_ms <= now then code = c break end
end
if not code then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], code)
redis.call('HSET', KEYS[2], code, ARGV[3])
local fields = {'code', tostring(code)}
for n = 6, #ARGV do fields[#fields + 1] = ARGV[n] end
redis.call('HSET', KEYS[3], unpack(fields))
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[3])
redis.call('ZADD', KEYS[5], ARGV[5], ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', '(' .. ARGV[1])  -- meetings over: no reply can be for them
return code
