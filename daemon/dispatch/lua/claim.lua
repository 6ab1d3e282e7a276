-- Write-ahead: marks recipients `sending` under this hold's owner token
-- before any provider sees them, each only if its state is still the one
-- the dispatcher read (so two instances never both send one recipient), and
-- nothing once the broadcast is cancelled. A `sending` recipient is claimed
-- only on a takeover, and only if a dead hold of this queue entry claimed
-- it (its token is among the entry's earlier tokens): one held by a live
-- instance through another entry of the chunk is not touched. Idempotent:
-- a recipient this hold claimed already is claimed again, unchanged.
-- KEYS[1] bc:<id>:s:<k>   KEYS[2] bc:<id>   KEYS[3] bc:<id>:c   KEYS[4] q:holds
-- ARGV[1] owner token (4 bytes)   ARGV[2] hold field "<stream>|<entry>"
-- ARGV[3] the entry's earlier tokens (4 bytes each)
-- ARGV then pairs: recipient index, expected state code.
-- Returns the indexes claimed, or -1 when the broadcast is cancelled.
local state = redis.call('HGET', KEYS[2], 'state')
if state == 'cancelled' then return -1 end
if state == 'queued' or state == 'scheduled' then redis.call('HSET', KEYS[2], 'state', 'sending') end
local token, earlier = ARGV[1], ARGV[3]
local held = redis.call('HGET', KEYS[4], ARGV[2]) or ''
if not among(held, token) then redis.call('HSET', KEYS[4], ARGV[2], held .. token) end
local meta = meta_of(KEYS[2])
local claimed = {}
for n = 4, #ARGV, 2 do
  local i, expected = tonumber(ARGV[n]), tonumber(ARGV[n + 1])
  local s, channel, attempts = record_of(KEYS[1], i)
  if s == STATE.sending and owner_of(KEYS[1], i) == token then
    claimed[#claimed + 1] = i  -- this hold's already: a claim whose answer was lost, sent again
  elseif s == expected and (s == STATE.queued or (s == STATE.sending and among(earlier, owner_of(KEYS[1], i)))) then
    set_record(KEYS[1], i, STATE.sending, channel, attempts, token)
    if s == STATE.queued then
      local name = meta.channels[channel + 1] or ''
      move_counters(KEYS[3], 'queued', name, 'sending', name, meta.units[unit_index_of(KEYS[1], i) + 1] or '')
    end
    claimed[#claimed + 1] = i
  end
end
flush()
return claimed
