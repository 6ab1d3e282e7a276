-- A YES or NO from a person, given to the one meeting among the candidates
-- (the meeting named by its code, or the open ones) that summoned them.
-- The last answer wins the tally; every answer is logged with its time
-- and channel. None summoned them, or several did and no code said which:
-- nothing is recorded (the caller answers accordingly).
-- KEYS per candidate, four each: mt:<id>:summoned, mt:<id>:answers, mt:<id>:tally, mt:<id>:log
-- ARGV[1] mobile   ARGV[2] 'yes' or 'no'   ARGV[3] at (RFC 3339)   ARGV[4] channel   ARGV[5...] the candidates' ids, in KEYS order
-- Returns {'answered', id}, {'not_summoned'} or {'several', id, id, ...}.
local mobile, answer = ARGV[1], ARGV[2]
local found = {}
for n = 5, #ARGV do
  local base = (n - 5) * 4
  if redis.call('SISMEMBER', KEYS[base + 1], mobile) == 1 then found[#found + 1] = n end
end
if #found == 0 then return {'not_summoned'} end
if #found > 1 then
  local ids = {'several'}
  for _, n in ipairs(found) do ids[#ids + 1] = ARGV[n] end
  return ids
end
local n = found[1]
local base = (n - 5) * 4
local previous = redis.call('HGET', KEYS[base + 2], mobile)
local before = previous and string.match(previous, '^([a-z]+)|')
if before ~= answer then
  if before then redis.call('HINCRBY', KEYS[base + 3], before, -1) end
  redis.call('HINCRBY', KEYS[base + 3], answer, 1)
end
redis.call('HSET', KEYS[base + 2], mobile, answer .. '|' .. ARGV[3] .. '|' .. ARGV[4])
redis.call('LPUSH', KEYS[base + 4], cjson.encode({mobile = mobile, answer = answer, at = ARGV[3], channel = ARGV[4]}))
return {'answered', ARGV[n]}
