-- Shared by the scripts that change recipients' states (claim, outcomes,
-- settle, delivery reports, report timeouts). Prepended to each of them.
--
-- A state record is RECORD bytes at offset i*RECORD of bc:<id>:s:<k>
-- (broadcast::StateRecord): byte 1 state code (STATE below), byte 2 the
-- channel's index in the policy, byte 3 attempts, byte 4 bit set of the
-- policy's channels the recipient has an address for, bytes 5-8 breakdown
-- unit (little-endian index into the broadcast's `units`), bytes 9-12 the
-- owner token of the hold that claimed it last.
--
-- Lua is most of Redis's work in the pipeline, so these spare redis.call
-- and strings: a chunk's records are read once per call (GET) and changes
-- written back at the end (flush) as one SETRANGE per run of neighbours;
-- counter moves are summed per kind and written as a few HINCRBYs.
local RECORD = 12
local STATE = {queued = 0, sending = 1, sent = 2, delivered = 3, read = 4, failed = 5, skipped = 6, expired = 7,
               cancelled = 8, unconfirmed = 9}
local STATE_NAME = {}
for name, code in pairs(STATE) do STATE_NAME[code] = name end

-- Numbers as arguments in integer form: Redis formats a Lua number as a
-- float (%.17g), which showed in its profile.
local function int(n) return string.format('%d', n) end

-- "<id>:<k>:<i>:<channel index>:<channel>:<unit>", the provider-id mapping's value.
local function parse_ref(ref)
  local id, k, i, ci, channel, unit = string.match(ref, '^([^:]+):(%d+):(%d+):(%d+):([^:]*):(.*)$')
  return id, k, tonumber(i), tonumber(ci), channel, unit
end

-- Why recipient i of chunk k left (or failed on) channel ci, in the
-- failures hash under "<k*500+i>:<ci>" (Keys::failure_field; 500
-- recipients per chunk, kRecipientsPerChunk).
local function note_failure(failures_key, k, i, ci, why)
  redis.call('HSET', failures_key, int(tonumber(k) * 500 + i) .. ':' .. ci, why)
end

-- Whether the 4-byte owner token t is in `list` (tokens, 4 bytes each).
local function among(list, t)
  for p = 1, #list, 4 do if string.sub(list, p, p + 3) == t then return true end end
  return false
end

local records, changed = {}, {}  -- by states key: the GET, and {state, channel, attempts, token} by recipient
-- State, channel index, attempts and usable channels of recipient i.
local function record_of(skey, i)
  local s = records[skey]
  if not s then
    s = redis.call('GET', skey) or ''
    records[skey], changed[skey] = s, {}
  end
  local c = changed[skey][i]
  local state, channel, attempts, usable = string.byte(s, i * RECORD + 1, i * RECORD + 4)
  if c then return c[1], c[2], c[3], usable end
  return state, channel, attempts, usable
end
-- The owner token (4 bytes) of recipient i.
local function owner_of(skey, i)
  record_of(skey, i)
  local c = changed[skey][i]
  if c and c[4] then return c[4] end
  return string.sub(records[skey], i * RECORD + 9, i * RECORD + 12)
end
-- The breakdown unit index of recipient i.
local function unit_index_of(skey, i)
  record_of(skey, i)
  local a, b, c, d = string.byte(records[skey], i * RECORD + 5, i * RECORD + 8)
  return (a or 0) + (b or 0) * 256 + (c or 0) * 65536 + (d or 0) * 16777216
end
-- token: nil keeps the owner token.
local function set_record(skey, i, state, channel, attempts, token)
  record_of(skey, i)
  local c = changed[skey][i]
  changed[skey][i] = {state, channel, attempts, token or (c and c[4])}
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

-- Broadcasts whose counters moved: counters key -> broadcast key, so flush
-- can tell when the last recipient ended.
local broadcast_of_counters = {}

-- bc:ended, the set of broadcasts that ended whose records are still to be
-- given their retention: named by each script that may end a broadcast
-- (from its KEYS), before it moves counters.
local ENDED = nil
local function ended_set_is(key) ENDED = key end

-- Every recipient ended (none queued, sending or sent): the broadcast is
-- done (a cancelled one stays cancelled), and goes into bc:ended, whose
-- sweep (lua/expire_ended.lua) gives its per-recipient records and failure
-- reasons `retention_s` more (broadcasts.retention_days, stored with the
-- broadcast); its hash and counters stay.
local function done_if_ended(counters, broadcast)
  local left = redis.call('HMGET', counters, 'queued', 'sending', 'sent')
  if (tonumber(left[1]) or 0) > 0 or (tonumber(left[2]) or 0) > 0 or (tonumber(left[3]) or 0) > 0 then return end
  local meta = redis.call('HMGET', broadcast, 'state', 'ended')
  if not meta[1] or meta[2] then return end  -- gone, or ended before (a late report moved a counter)
  if meta[1] ~= 'cancelled' then redis.call('HSET', broadcast, 'state', 'done') end
  redis.call('HSET', broadcast, 'ended', '1')
  if ENDED then redis.call('SADD', ENDED, string.match(broadcast, 'bc:([^:]+)$')) end
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
        local base = i * RECORD
        if c[4] then
          pieces[#pieces + 1] = string.char(c[1], c[2], c[3]) .. string.sub(s, base + 4, base + 8) .. c[4]
        else
          pieces[#pieces + 1] = string.char(c[1], c[2], c[3]) .. string.sub(s, base + 4, base + RECORD)
        end
        n = n + 1
      until n > #order or order[n] ~= order[n - 1] + 1
      redis.call('SETRANGE', skey, int(first * RECORD), table.concat(pieces))
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
  moves = {}
  for c, fields in pairs(deltas) do
    for field, delta in pairs(fields) do
      if delta ~= 0 then redis.call('HINCRBY', c, field, int(delta)) end
    end
    if broadcast_of_counters[c] then done_if_ended(c, broadcast_of_counters[c]) end
  end
end

-- What fall_back needs of a broadcast, read once per call: its policy's
-- channel names (the `channels` field, written at enqueue; older
-- broadcasts only have them in `message`), priority, state and units.
local meta_cache = {}
local function meta_of(bkey)
  local m = meta_cache[bkey]
  if m then return m end
  local f = redis.call('HMGET', bkey, 'channels', 'priority', 'state', 'units')
  m = {priority = f[2], state = f[3], units = f[4] and cjson.decode(f[4]) or {}}
  if f[1] then
    m.channels = {}
    for name in string.gmatch(f[1], '[^,]+') do m.channels[#m.channels + 1] = name end
  else
    local message = redis.call('HGET', bkey, 'message')
    m.channels = message and cjson.decode(message).channels or {}
  end
  meta_cache[bkey] = m
  return m
end

-- Moves recipient i (on `channel`, in state `from`) whose channel did not
-- deliver to the next channel of the policy it has an address for, and
-- queues its chunk again (once: K.requeued marks a chunk already queued
-- again; the dispatcher deletes the mark when it reads the chunk).
-- K: {broadcast, states, counters, requeued, stream, active}. Returns
-- false when no channel is left or the broadcast was cancelled.
local function fall_back(K, k, i, channel, unit, from)
  local _, current, _, usable = record_of(K.states, i)
  local next_channel = nil
  for c = current + 1, 7 do
    if bit.band(usable, bit.lshift(1, c)) ~= 0 then next_channel = c break end
  end
  if not next_channel then return false end
  local meta = meta_of(K.broadcast)
  if meta.state == 'cancelled' or not meta.priority then return false end
  set_record(K.states, i, STATE.queued, next_channel, 0)
  broadcast_of_counters[K.counters] = K.broadcast
  move_counters(K.counters, from or 'sent', channel, 'queued', meta.channels[next_channel + 1], unit)
  if redis.call('SET', K.requeued, '1', 'NX', 'EX', 604800) then
    redis.call('XADD', K.stream, '*', 'k', k)
    redis.call('SADD', K.active, K.stream)
  end
  return true
end
