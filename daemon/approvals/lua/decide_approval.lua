-- Decides a request waiting for approval, once: only while it is pending
-- and not expired (an expired one is marked so). Two approvers at once:
-- one decides, the other reads the decision.
-- KEYS[1] ap:<id>
-- ARGV[1] approved|rejected   ARGV[2] who decides   ARGV[3] when (RFC 3339)   ARGV[4] reason   ARGV[5] now (ms)
-- Returns "ok", "none", "expired", or the state it already has.
if redis.call('EXISTS', KEYS[1]) == 0 then return 'none' end
local state = redis.call('HGET', KEYS[1], 'state')
if state ~= 'pending_approval' then return state end
if tonumber(ARGV[5]) >= tonumber(redis.call('HGET', KEYS[1], 'expires_ms')) then
  redis.call('HSET', KEYS[1], 'state', 'expired')
  return 'expired'
end
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'decided_by', ARGV[2], 'decided_at', ARGV[3], 'reason', ARGV[4])
return 'ok'
