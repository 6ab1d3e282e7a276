#pragma once
// Applies one delivery report atomically (docs/PIPELINE.md, "Delivery reports"):
// finds the recipient through the provider's message id, moves its state only
// forward (sent < delivered < read; failed only from sent, and final), and
// moves the counters with it. A report that arrives before the dispatcher
// wrote the message id is parked as "early" and applied when it does.
//
// KEYS[1] pm:<provider>:<message id>   KEYS[2] pm:early:<provider>:<message id>
// ARGV[1] new state code (3 delivered, 4 read, 5 failed)   ARGV[2] key prefix   ARGV[3] reason
// Returns "applied", "stale" or "early".
namespace orgcast::dispatch {

inline constexpr const char* kApplyReportScript = R"LUA(
local ref = redis.call('GET', KEYS[1])
if not ref then
  redis.call('SET', KEYS[2], ARGV[1] .. '|' .. ARGV[3], 'EX', 3600)
  return 'early'
end
local id, k, i, channel, unit = string.match(ref, '^([^:]+):(%d+):(%d+):([^:]*):(.*)$')
local skey = ARGV[2] .. 'bc:' .. id .. ':s:' .. k
local offset = tonumber(i) * 8
local cur = string.byte(redis.call('GETRANGE', skey, offset, offset))
local new = tonumber(ARGV[1])
local rank = {[2] = 1, [3] = 2, [4] = 3, [5] = 2}
if cur == nil or rank[cur] == nil or cur == 5 or rank[new] == nil then return 'stale' end
if new == 5 and cur ~= 2 then return 'stale' end
if new ~= 5 and rank[new] <= rank[cur] then return 'stale' end
redis.call('SETRANGE', skey, offset, string.char(new))
local names = {[2] = 'sent', [3] = 'delivered', [4] = 'read', [5] = 'failed'}
local c = ARGV[2] .. 'bc:' .. id .. ':c'
for _, prefix in ipairs({'', 'ch:' .. channel .. ':', 'u:' .. unit .. ':'}) do
  redis.call('HINCRBY', c, prefix .. names[cur], -1)
  redis.call('HINCRBY', c, prefix .. names[new], 1)
end
if new == 5 then
  redis.call('HSET', ARGV[2] .. 'bc:' .. id .. ':f', tostring(tonumber(k) * 500 + tonumber(i)), channel .. ': ' .. ARGV[3])
end
return 'applied'
)LUA";

}  // namespace orgcast::dispatch
