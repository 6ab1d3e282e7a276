-- Prepended to inbound's store_inbound.lua, which records an answer in the
-- same step that keeps its message: a YES or NO
-- from a person, given to the one meeting among the candidates (the meeting
-- named by its code, or the open ones) that summoned them. The last answer
-- wins the tally; every answer is logged with its time and channel. None
-- summoned them, or several did and no code said which: nothing recorded.
-- The candidates' keys are four each from KEYS[base + 1]: mt:<id>:summoned,
-- mt:<id>:answers, mt:<id>:tally, mt:<id>:log; `ids` their ids, in order.
-- Returns {'answered', id}, {'not_summoned'} or {'several', id, id, ...}.
local function record_answer_at(base, ids, mobile, answer, at, channel)
  local found = {}
  for j, _ in ipairs(ids) do
    if redis.call('SISMEMBER', KEYS[base + (j - 1) * 4 + 1], mobile) == 1 then found[#found + 1] = j end
  end
  if #found == 0 then return {'not_summoned'} end
  if #found > 1 then
    local several = {'several'}
    for _, j in ipairs(found) do several[#several + 1] = ids[j] end
    return several
  end
  local k = base + (found[1] - 1) * 4
  local previous = redis.call('HGET', KEYS[k + 2], mobile)
  local before = previous and string.match(previous, '^([a-z]+)|')
  if before ~= answer then
    if before then redis.call('HINCRBY', KEYS[k + 3], before, -1) end
    redis.call('HINCRBY', KEYS[k + 3], answer, 1)
  end
  redis.call('HSET', KEYS[k + 2], mobile, answer .. '|' .. at .. '|' .. channel)
  redis.call('LPUSH', KEYS[k + 4], cjson.encode({mobile = mobile, answer = answer, at = at, channel = channel}))
  return {'answered', ids[found[1]]}
end
