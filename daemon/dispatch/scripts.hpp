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

// Shared by the scripts that change recipients' states (claim, settle,
// delivery reports, report timeouts). Lua is
// most of Redis's work in the pipeline (INFO commandstats: evalsha ~3x the
// commands the scripts call), so the helpers spare redis.call and strings:
// - A chunk's state records are read once per script call (GET), not a
//   GETRANGE per recipient; changes are kept and written at the end
//   (flush) as one SETRANGE per run of neighbouring recipients.
// - Counter moves are summed per kind of move and written at the end as a
//   few HINCRBYs, not six per report.
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
-- Records why recipient i of chunk k left (or failed on) channel ci, in the
-- hash bc:<id>:f under "<number>:<channel index>" (Keys::failure_field;
-- 500 recipients per chunk, kRecipientsPerChunk).
local function note_failure(prefix, id, k, i, ci, why)
  redis.call('HSET', prefix .. 'bc:' .. id .. ':f', int(tonumber(k) * 500 + i) .. ':' .. ci, why)
end
local records, changed = {}, {}  -- by states key: the GET, and {state, channel, attempts} by recipient
-- State, channel index, attempts and usable channels of recipient i.
local function record_of(skey, i)
  local s = records[skey]
  if not s then
    s = redis.call('GET', skey) or ''
    records[skey], changed[skey] = s, {}
  end
  local c = changed[skey][i]
  local state, channel, attempts, usable = string.byte(s, i * 8 + 1, i * 8 + 4)
  if c then return c[1], c[2], c[3], usable end
  return state, channel, attempts, usable
end
local function set_record(skey, i, state, channel, attempts)
  record_of(skey, i)
  changed[skey][i] = {state, channel, attempts}
end
local moves = {}
local function move_counters(c, from, from_channel, to, to_channel, unit)
  local kind = c .. '\0' .. from .. '\0' .. from_channel .. '\0' .. to .. '\0' .. to_channel .. '\0' .. unit
  local m = moves[kind]
  if m then
    m.n = m.n + 1
  else
    moves[kind] = {n = 1, c = c, from = from, from_channel = from_channel, to = to, to_channel = to_channel, unit = unit}
  end
end
local function flush()
  for skey, by_recipient in pairs(changed) do
    local s, order = records[skey], {}
    for i in pairs(by_recipient) do order[#order + 1] = i end
    table.sort(order)
    local n = 1
    while n <= #order do
      local first, pieces = order[n], {}
      repeat
        local i, c = order[n], by_recipient[order[n]]
        pieces[#pieces + 1] = string.char(c[1], c[2], c[3]) .. string.sub(s, i * 8 + 4, i * 8 + 8)
        n = n + 1
      until n > #order or order[n] ~= order[n - 1] + 1
      redis.call('SETRANGE', skey, int(first * 8), table.concat(pieces))
    end
  end
  records, changed = {}, {}
  local deltas = {}
  local function add(c, field, delta)
    local fields = deltas[c]
    if not fields then fields = {} deltas[c] = fields end
    fields[field] = (fields[field] or 0) + delta
  end
  for _, m in pairs(moves) do
    add(m.c, m.from, -m.n)
    add(m.c, m.to, m.n)
    add(m.c, 'ch:' .. m.from_channel .. ':' .. m.from, -m.n)
    add(m.c, 'ch:' .. m.to_channel .. ':' .. m.to, m.n)
    add(m.c, 'u:' .. m.unit .. ':' .. m.from, -m.n)
    add(m.c, 'u:' .. m.unit .. ':' .. m.to, m.n)
  end
  for c, fields in pairs(deltas) do
    for field, delta in pairs(fields) do
      if delta ~= 0 then redis.call('HINCRBY', c, field, int(delta)) end
    end
  end
  moves = {}
end
local function fall_back(prefix, id, k, i, channel, unit)
  local skey = prefix .. 'bc:' .. id .. ':s:' .. k
  local _, current, _, usable = record_of(skey, i)
  local next_channel = nil
  for c = current + 1, 7 do
    if bit.band(usable, bit.lshift(1, c)) ~= 0 then next_channel = c break end
  end
  if not next_channel then return false end
  local b = prefix .. 'bc:' .. id
  local meta = redis.call('HMGET', b, 'message', 'priority', 'state')
  if meta[3] == 'cancelled' or not meta[1] then return false end
  local channels = cjson.decode(meta[1]).channels
  set_record(skey, i, 0, next_channel, 0)
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
local rank = {[2] = 1, [3] = 2, [4] = 3, [5] = 2}
local state_names = {[2] = 'sent', [3] = 'delivered', [4] = 'read', [5] = 'failed'}
local function apply_report(prefix, ref, new, reason)
  local id, k, i, ci, channel, unit = parse_ref(ref)
  local skey = prefix .. 'bc:' .. id .. ':s:' .. k
  local cur, cur_channel, attempts, usable = record_of(skey, i)
  if cur == nil or cur_channel ~= ci or rank[cur] == nil or cur == 5 or rank[new] == nil then return 'stale' end
  if new == 5 and cur ~= 2 then return 'stale' end
  if new ~= 5 and rank[new] <= rank[cur] then return 'stale' end
  -- Only recipients with a further channel were put on q:dlr-wait.
  if bit.rshift(usable, ci + 1) ~= 0 then redis.call('ZREM', prefix .. 'q:dlr-wait', ref) end
  if new == 5 and fall_back(prefix, id, k, i, channel, unit) then
    note_failure(prefix, id, k, i, ci, channel .. ': ' .. reason .. ' (fell back)')
    return 'fallback'
  end
  set_record(skey, i, new, cur_channel, attempts)
  move_counters(prefix .. 'bc:' .. id .. ':c', state_names[cur], channel, state_names[new], channel, unit)
  if new == 5 then
    note_failure(prefix, id, k, i, ci, channel .. ': ' .. reason)
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
-- Every report's mapping in one MGET.
local pm, keys = prefix .. 'pm:' .. provider .. ':', {}
for n = 3, #ARGV, 3 do keys[#keys + 1] = pm .. ARGV[n] end
local refs = #keys > 0 and redis.call('MGET', unpack(keys)) or {}
local outcomes = {}
for n = 3, #ARGV, 3 do
  local ref = refs[(n - 3) / 3 + 1]
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
flush()
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
local early_reports, pm = prefix .. 'pm-early:' .. provider, prefix .. 'pm:' .. provider .. ':'
local any_early = redis.call('EXISTS', early_reports) == 1
for n = 4, #ARGV, 2 do
  redis.call('SET', pm .. ARGV[n], ARGV[n + 1], 'EX', ttl)
  local early = any_early and redis.call('HGET', early_reports, ARGV[n])
  if early then
    redis.call('HDEL', early_reports, ARGV[n])
    local bar = string.find(early, '|', 1, true)
    apply_report(prefix, ARGV[n + 1], tonumber(string.sub(early, 1, bar - 1)), string.sub(early, bar + 1))
    applied = applied + 1
  end
end
flush()
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
  local state, current = record_of(ARGV[2] .. 'bc:' .. id .. ':s:' .. k, i)
  if state == 2 and current == ci and fall_back(ARGV[2], id, k, i, channel, unit) then
    note_failure(ARGV[2], id, k, i, ci, channel .. ': no delivery report in time (fell back)')
    moved = moved + 1
  end
end
flush()
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
inline const std::string kClaimScript = std::string(kLuaHelpers) + R"LUA(
if redis.call('HGET', KEYS[2], 'state') == 'cancelled' then return -1 end
local claimed = {}
for n = 1, #ARGV, 2 do
  local i = tonumber(ARGV[n])
  local state, channel, attempts = record_of(KEYS[1], i)
  if state == tonumber(ARGV[n + 1]) then
    set_record(KEYS[1], i, 1, channel, attempts)
    claimed[#claimed + 1] = i
  end
end
flush()
return claimed
)LUA";

// Ends recipients that will not be sent (cancelled or expired), each only if
// its state is still the expected one, and moves the counters with them.
// KEYS[1] bc:<id>:s:<k>   KEYS[2] bc:<id>:c
// ARGV[1] new state code   ARGV[2] its name
// ARGV then groups of four: index, expected state code, channel, unit.
// Returns how many were ended.
inline const std::string kSettleScript = std::string(kLuaHelpers) + R"LUA(
local to, to_name, ended = tonumber(ARGV[1]), ARGV[2], 0
for n = 3, #ARGV, 4 do
  local i = tonumber(ARGV[n])
  local state, channel, attempts = record_of(KEYS[1], i)
  if state == tonumber(ARGV[n + 1]) then
    set_record(KEYS[1], i, to, channel, attempts)
    -- `sending` counts as queued in the counters, as in every move from the queue.
    move_counters(KEYS[2], 'queued', ARGV[n + 2], to_name, ARGV[n + 2], ARGV[n + 3])
    ended = ended + 1
  end
end
flush()
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
