#pragma once
// The Lua scripts of the pipeline (docs/PIPELINE.md). Each one changes a
// recipient's state record and the counters that follow it in one atomic
// step, so that a crash never leaves the two disagreeing.
//
// A state record is 8 bytes at offset i*8 of bc:<id>:s:<k>:
//   byte 1 state (0 queued, 1 sending, 2 sent, 3 delivered, 4 read,
//   5 failed, 6 skipped, 7 expired, 8 cancelled), byte 2 channel index in
//   the policy, byte 3 attempts, byte 4 bit set of the policy's channels the
//   recipient has an address for, bytes 5-8 breakdown unit.
// A reference to a sent recipient ("ref") is "<id>:<k>:<i>:<channel index>:<channel>:<unit>".
#include <string>

namespace orgcast::dispatch {

// Shared by the scripts that move recipients after they were sent.
// Counter moves are summed in a table and written once at the end of a
// script (flush_counters), so a batch of 100 reports costs a few HINCRBYs,
// not six per report.
// fall_back moves a recipient whose channel did not deliver to the next
// channel of the policy it has an address for, and queues its chunk again
// (once: bc:<id>:rq:<k> marks a chunk already queued again; the dispatcher
// deletes the mark when it reads the chunk). It returns false when no
// channel is left or the broadcast was cancelled.
inline constexpr const char* kLuaHelpers = R"LUA(
-- Numbers as arguments in integer form: Redis formats a Lua number as a
-- float (%.17g), which showed in its profile.
local function int(n) return string.format('%d', n) end
local function parse_ref(ref)
  local id, k, i, ci, channel, unit = string.match(ref, '^([^:]+):(%d+):(%d+):(%d+):([^:]*):(.*)$')
  return id, k, tonumber(i), tonumber(ci), channel, unit
end
local counter_moves = {}
local function count(key, field, delta)
  local fields = counter_moves[key]
  if not fields then fields = {} counter_moves[key] = fields end
  fields[field] = (fields[field] or 0) + delta
end
local function move_counters(c, from, from_channel, to, to_channel, unit)
  count(c, from, -1)
  count(c, to, 1)
  count(c, 'ch:' .. from_channel .. ':' .. from, -1)
  count(c, 'ch:' .. to_channel .. ':' .. to, 1)
  count(c, 'u:' .. unit .. ':' .. from, -1)
  count(c, 'u:' .. unit .. ':' .. to, 1)
end
local function flush_counters()
  for key, fields in pairs(counter_moves) do
    for field, delta in pairs(fields) do
      if delta ~= 0 then redis.call('HINCRBY', key, field, delta) end
    end
  end
  counter_moves = {}
end
local function fall_back(prefix, id, k, i, channel, unit)
  local skey = prefix .. 'bc:' .. id .. ':s:' .. k
  local rec = redis.call('GETRANGE', skey, int(i * 8), int(i * 8 + 3))
  local current, usable = string.byte(rec, 2), string.byte(rec, 4)
  local next_channel = nil
  for c = current + 1, 7 do
    if bit.band(usable, bit.lshift(1, c)) ~= 0 then next_channel = c break end
  end
  if not next_channel then return false end
  local b = prefix .. 'bc:' .. id
  local meta = redis.call('HMGET', b, 'message', 'priority', 'state')
  if meta[3] == 'cancelled' or not meta[1] then return false end
  local channels = cjson.decode(meta[1]).channels
  redis.call('SETRANGE', skey, int(i * 8), string.char(0, next_channel, 0))
  move_counters(b .. ':c', 'sent', channel, 'queued', channels[next_channel + 1], unit)
  if redis.call('SET', b .. ':rq:' .. k, '1', 'NX', 'EX', 604800) then
    local stream = prefix .. 'q:' .. meta[2] .. ':' .. id
    redis.call('XADD', stream, '*', 'k', k)
    redis.call('SADD', prefix .. 'q:active:' .. meta[2], stream)
  end
  return true
end
)LUA";

// Applies a report (new state code: 3 delivered, 4 read, 5 failed) to the
// recipient `ref` names, moving its state only forward (sent < delivered <
// read; failed only from sent, and final unless the policy has another
// channel); a report about a channel the recipient has since left is stale.
inline constexpr const char* kLuaApplyReport = R"LUA(
local function apply_report(prefix, ref, new, reason)
  local id, k, i, ci, channel, unit = parse_ref(ref)
  local skey = prefix .. 'bc:' .. id .. ':s:' .. k
  local rec = redis.call('GETRANGE', skey, int(i * 8), int(i * 8 + 3))
  local cur, cur_channel, usable = string.byte(rec, 1), string.byte(rec, 2), string.byte(rec, 4)
  local rank = {[2] = 1, [3] = 2, [4] = 3, [5] = 2}
  if cur == nil or cur_channel ~= ci or rank[cur] == nil or cur == 5 or rank[new] == nil then return 'stale' end
  if new == 5 and cur ~= 2 then return 'stale' end
  if new ~= 5 and rank[new] <= rank[cur] then return 'stale' end
  -- Only recipients with a further channel were put on q:dlr-wait.
  if bit.rshift(usable, ci + 1) ~= 0 then redis.call('ZREM', prefix .. 'q:dlr-wait', ref) end
  local why_field = tostring(tonumber(k) * 500 + i) .. ':' .. ci
  if new == 5 and fall_back(prefix, id, k, i, channel, unit) then
    redis.call('HSET', prefix .. 'bc:' .. id .. ':f', why_field, channel .. ': ' .. reason .. ' (fell back)')
    return 'fallback'
  end
  redis.call('SETRANGE', skey, int(i * 8), string.char(new))
  local names = {[2] = 'sent', [3] = 'delivered', [4] = 'read', [5] = 'failed'}
  move_counters(prefix .. 'bc:' .. id .. ':c', names[cur], channel, names[new], channel, unit)
  if new == 5 then
    redis.call('HSET', prefix .. 'bc:' .. id .. ':f', why_field, channel .. ': ' .. reason)
  end
  return 'applied'
end
)LUA";

// Delivery reports from a provider's webhook, matched by the provider's
// message id, all in one call. One that arrives before the dispatcher
// recorded the message id is parked as "early" in the hash
// pm-early:<provider> (message id -> "state|reason"; it expires a day after
// the last one parked); kRecordSentScript applies it. The hash is empty, so
// absent, nearly always: the record-sent script checks it once per call,
// not once per message.
// ARGV[1] key prefix   ARGV[2] provider
// ARGV then groups of three: message id, new state code, reason.
// Returns, per report, "applied", "fallback", "stale" or "early".
inline const std::string kApplyReportsScript = std::string(kLuaHelpers) + kLuaApplyReport + R"LUA(
local prefix, provider = ARGV[1], ARGV[2]
local outcomes = {}
for n = 3, #ARGV, 3 do
  local pm = prefix .. 'pm:' .. provider .. ':' .. ARGV[n]
  local ref = redis.call('GET', pm)
  if not ref then
    -- Parked reports move forward too: several may come before the id is
    -- recorded (Kannel reports each part of a long SMS, "delivered" then
    -- "accepted by the SMSC"); the most advanced one is kept.
    local early = prefix .. 'pm-early:' .. provider
    local parked = redis.call('HGET', early, ARGV[n])
    local parked_state = parked and tonumber(string.sub(parked, 1, string.find(parked, '|', 1, true) - 1)) or -1
    if tonumber(ARGV[n + 1]) > parked_state then
      redis.call('HSET', early, ARGV[n], ARGV[n + 1] .. '|' .. ARGV[n + 2])
      redis.call('EXPIRE', early, '86400')
    end
    outcomes[#outcomes + 1] = 'early'
  else
    outcomes[#outcomes + 1] = apply_report(prefix, ref, tonumber(ARGV[n + 1]), ARGV[n + 2])
  end
end
flush_counters()
return outcomes
)LUA";

// Records sent recipients' provider message ids and, in the same atomic
// step, applies reports that beat them (so a crash cannot strand one
// parked). Runs after the recipients' `sent` state writes, in the same pipeline.
// ARGV[1] key prefix   ARGV[2] provider   ARGV[3] mapping lifetime (s)
// ARGV then pairs: message id, ref. Returns how many early reports it applied.
inline const std::string kRecordSentScript = std::string(kLuaHelpers) + kLuaApplyReport + R"LUA(
local prefix, provider, ttl = ARGV[1], ARGV[2], ARGV[3]  -- ttl as text: a Lua number would be formatted as a float
local applied = 0
local early_reports = prefix .. 'pm-early:' .. provider
local any_early = redis.call('EXISTS', early_reports) == 1
for n = 4, #ARGV, 2 do
  redis.call('SET', prefix .. 'pm:' .. provider .. ':' .. ARGV[n], ARGV[n + 1], 'EX', ttl)
  local early = any_early and redis.call('HGET', early_reports, ARGV[n])
  if early then
    redis.call('HDEL', early_reports, ARGV[n])
    local bar = string.find(early, '|', 1, true)
    apply_report(prefix, ARGV[n + 1], tonumber(string.sub(early, 1, bar - 1)), string.sub(early, bar + 1))
    applied = applied + 1
  end
end
flush_counters()
return applied
)LUA";

// Recipients sent but not reported on in time go to the policy's next
// channel. KEYS[1] q:dlr-wait (zset of refs by due ms); ARGV[1] now (ms),
// ARGV[2] key prefix, ARGV[3] most to take. Returns {taken, moved}.
inline const std::string kReportTimeoutScript = std::string(kLuaHelpers) + R"LUA(
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local moved = 0
for _, ref in ipairs(due) do
  redis.call('ZREM', KEYS[1], ref)
  local id, k, i, ci, channel, unit = parse_ref(ref)
  local rec = redis.call('GETRANGE', ARGV[2] .. 'bc:' .. id .. ':s:' .. k, int(i * 8), int(i * 8 + 1))
  if string.byte(rec, 1) == 2 and string.byte(rec, 2) == ci and fall_back(ARGV[2], id, k, i, channel, unit) then
    redis.call('HSET', ARGV[2] .. 'bc:' .. id .. ':f', tostring(tonumber(k) * 500 + i) .. ':' .. ci,
               channel .. ': no delivery report in time (fell back)')
    moved = moved + 1
  end
end
flush_counters()
return {#due, moved}
)LUA";

// A window's outcomes in one call, instead of a command per recipient and
// per counter (each with its own reply to parse): the state records, whose
// runs of neighbours come as one SETRANGE, and the counter moves.
// KEYS[1] bc:<id>:s:<k>   KEYS[2] bc:<id>:c
// ARGV[1] how many runs; then pairs: byte offset, records; then pairs:
// counter field, delta. Returns the number of runs.
inline constexpr const char* kWriteOutcomesScript = R"LUA(
local runs = tonumber(ARGV[1])
local last = 1 + runs * 2
for n = 2, last, 2 do redis.call('SETRANGE', KEYS[1], ARGV[n], ARGV[n + 1]) end
for n = last + 1, #ARGV, 2 do redis.call('HINCRBY', KEYS[2], ARGV[n], ARGV[n + 1]) end
return runs
)LUA";

// Write-ahead: marks recipients `sending` before any provider sees them,
// each only if its state is still the one the dispatcher read (so two
// instances never both send one recipient), and nothing once the broadcast
// is cancelled.
// KEYS[1] bc:<id>:s:<k>   KEYS[2] bc:<id>
// ARGV pairs: recipient index, expected state code.
// Returns the indexes claimed, or -1 when the broadcast is cancelled.
inline constexpr const char* kClaimScript = R"LUA(
if redis.call('HGET', KEYS[2], 'state') == 'cancelled' then return -1 end
-- The chunk's records read once, not a GETRANGE per recipient; offsets
-- written with %d (Redis formats a Lua number argument as a float: it
-- showed in Redis's profile).
local records = redis.call('GET', KEYS[1]) or ''
local claimed = {}
for n = 1, #ARGV, 2 do
  local i = tonumber(ARGV[n])
  if string.byte(records, i * 8 + 1) == tonumber(ARGV[n + 1]) then
    redis.call('SETRANGE', KEYS[1], string.format('%d', i * 8), '\1')
    claimed[#claimed + 1] = i
  end
end
return claimed
)LUA";

// Ends recipients that will not be sent (cancelled or expired), each only if
// its state is still the expected one, and moves the counters with them.
// KEYS[1] bc:<id>:s:<k>   KEYS[2] bc:<id>:c
// ARGV[1] new state code   ARGV[2] its name
// ARGV then groups of four: index, expected state code, channel, unit.
// Returns how many were ended.
inline constexpr const char* kSettleScript = R"LUA(
local ended = 0
for n = 3, #ARGV, 4 do
  local offset = tonumber(ARGV[n]) * 8
  if string.byte(redis.call('GETRANGE', KEYS[1], offset, offset)) == tonumber(ARGV[n + 1]) then
    redis.call('SETRANGE', KEYS[1], offset, string.char(tonumber(ARGV[1])))
    for _, p in ipairs({'', 'ch:' .. ARGV[n + 2] .. ':', 'u:' .. ARGV[n + 3] .. ':'}) do
      redis.call('HINCRBY', KEYS[2], p .. 'queued', -1)
      redis.call('HINCRBY', KEYS[2], p .. ARGV[2], 1)
    end
    ended = ended + 1
  end
end
return ended
)LUA";

// A chunk is done: acknowledges and deletes its entry; when the queue is
// empty and nothing is being worked on, the stream leaves the active set and
// the broadcast is dispatched (unless cancelled, which stays its state). One
// script, so that a fallback queueing the chunk again cannot slip between the
// check and the removal.
// KEYS[1] q:<priority>:<id>  KEYS[2] q:active:<priority>  KEYS[3] bc:<id>
// ARGV[1] consumer group  ARGV[2] entry id. Returns 1 when dispatched.
inline constexpr const char* kFinishChunkScript = R"LUA(
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
if redis.call('XLEN', KEYS[1]) > 0 then return 0 end
if redis.call('XPENDING', KEYS[1], ARGV[1])[1] > 0 then return 0 end
redis.call('SREM', KEYS[2], KEYS[1])
if redis.call('HGET', KEYS[3], 'state') ~= 'cancelled' then redis.call('HSET', KEYS[3], 'state', 'dispatched') end
return 1
)LUA";

}  // namespace orgcast::dispatch
