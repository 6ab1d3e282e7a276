-- Claims an Idempotency-Key for one request: the key is held by an owner
-- (the request) under a short lease, so a request that failed or died
-- before its broadcast was written does not block retries for a day; a
-- retry after the lease takes it over. The body's hash is kept with it: the
-- same key with another body is refused.
-- Values: "pending|<owner>|<body hash>|<lease until, ms>", then
-- "done|<body hash>|<broadcast id>" (written by commit_broadcast.lua).
-- KEYS[1] bc:idem:<key>
-- ARGV[1] owner   ARGV[2] body hash   ARGV[3] now (ms)   ARGV[4] lease (ms)   ARGV[5] lifetime (s)
-- Returns {"claimed"}, {"done", id}, {"in_progress"} or {"mismatch"}.
local v = redis.call('GET', KEYS[1])
local function claim()
  redis.call('SET', KEYS[1], 'pending|' .. ARGV[1] .. '|' .. ARGV[2] .. '|' .. string.format('%d', tonumber(ARGV[3]) + tonumber(ARGV[4])),
             'EX', ARGV[5])
  return {'claimed'}
end
if not v or v == '' then return claim() end
local kind, a, b, c = string.match(v, '^(%a+)|([^|]*)|([^|]*)|?(.*)$')
if kind == 'done' then
  if a ~= ARGV[2] then return {'mismatch'} end
  return {'done', b}
end
if kind == 'pending' then
  if b ~= ARGV[2] then return {'mismatch'} end
  if (tonumber(c) or 0) < tonumber(ARGV[3]) then return claim() end
  return {'in_progress'}
end
return {'done', v}  -- a bare broadcast id, as older versions wrote
