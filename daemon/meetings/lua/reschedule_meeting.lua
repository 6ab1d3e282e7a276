-- Moves a meeting (and, if given, its venue): its times, where it sits
-- among the open meetings and by start, and how long its code is held
-- (30 days past the new end). A cancelled meeting is not moved.
-- KEYS[1] mt:<id>   KEYS[2] mt:open   KEYS[3] mt:by-start   KEYS[4] mt:codes   KEYS[5] mt:code-owner
-- ARGV[1] id   ARGV[2] starts_at   ARGV[3] starts (ms)   ARGV[4] ends_at   ARGV[5] ends (ms)
-- ARGV[6] the code may be given again from (ms)   ARGV[7] venue ("" unchanged)   ARGV[8] venue per language as JSON ("" none)
-- Returns 1 when moved, 0 when the meeting is cancelled, -1 when there is no such meeting.
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return -1 end
if state == 'cancelled' then return 0 end
redis.call('HSET', KEYS[1], 'starts_at', ARGV[2], 'ends_at', ARGV[4])
if ARGV[7] ~= '' then
  redis.call('HSET', KEYS[1], 'venue', ARGV[7])
  if ARGV[8] ~= '' then redis.call('HSET', KEYS[1], 'venue_json', ARGV[8]) else redis.call('HDEL', KEYS[1], 'venue_json') end
end
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
local code = redis.call('HGET', KEYS[1], 'code')
if code and redis.call('HGET', KEYS[5], code) == ARGV[1] then redis.call('ZADD', KEYS[4], ARGV[6], code) end
return 1
