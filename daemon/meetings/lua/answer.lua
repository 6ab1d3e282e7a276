-- Prepended to inbound's store_inbound.lua, which records an answer in the
-- same step that keeps its message: a YES or NO
-- from a person, given to the one meeting among the candidates (the meeting
-- named by its code, or the open ones) that summoned them. The last answer
-- wins the tally; every answer is logged with its time and channel. None
-- summoned them, or several did and no code said which: nothing recorded.
-- The tally is kept per unit too, for the unit one level below the tally's
-- root (mt:<id>'s tally_root: the organiser when it holds the whole
-- audience) that holds the person's post (the root itself for a post
-- there): `chains` are the person's posts' units from the top down, each
-- joined by \31, chains joined by \30, in the directory's unit order (the
-- sender directory's, in memory).
-- The unit is kept with the answer, so a changed answer moves that unit's.
-- The candidates' keys are six each from KEYS[base + 1]: mt:<id>:summoned,
-- mt:<id>:answers, mt:<id>:tally, mt:<id>:log, mt:<id>, mt:<id>:units;
-- `ids` their ids, in order.
-- Returns {'answered', id}, {'not_summoned'} or {'several', id, id, ...}.
local function unit_below(organiser, chains)
  for chain in string.gmatch(chains, '[^\30]+') do
    local units = {}
    for u in string.gmatch(chain, '[^\31]+') do units[#units + 1] = u end
    for n, u in ipairs(units) do
      if u == organiser then return units[n + 1] or u end
    end
  end
  return ''
end

local function record_answer_at(base, ids, mobile, answer, at, channel, chains)
  local found = {}
  for j, _ in ipairs(ids) do
    if redis.call('SISMEMBER', KEYS[base + (j - 1) * 6 + 1], mobile) == 1 then found[#found + 1] = j end
  end
  if #found == 0 then return {'not_summoned'} end
  if #found > 1 then
    local several = {'several'}
    for _, j in ipairs(found) do several[#several + 1] = ids[j] end
    return several
  end
  local k = base + (found[1] - 1) * 6
  local previous = redis.call('HGET', KEYS[k + 2], mobile)
  local before, before_unit = nil, ''
  if previous then before, before_unit = string.match(previous, '^([a-z]+)|[^|]*|[^|]*|?(.*)$') end
  local root = redis.call('HGET', KEYS[k + 5], 'tally_root') or redis.call('HGET', KEYS[k + 5], 'organiser') or ''
  local unit = unit_below(root, chains)
  if before ~= answer or before_unit ~= unit then
    if before then
      redis.call('HINCRBY', KEYS[k + 3], before, -1)
      if before_unit ~= '' then redis.call('HINCRBY', KEYS[k + 6], before_unit .. '|' .. before, -1) end
    end
    redis.call('HINCRBY', KEYS[k + 3], answer, 1)
    if unit ~= '' then redis.call('HINCRBY', KEYS[k + 6], unit .. '|' .. answer, 1) end
  end
  redis.call('HSET', KEYS[k + 2], mobile, answer .. '|' .. at .. '|' .. channel .. '|' .. unit)
  redis.call('LPUSH', KEYS[k + 4], cjson.encode({mobile = mobile, answer = answer, at = at, channel = channel}))
  return {'answered', ids[found[1]]}
end
