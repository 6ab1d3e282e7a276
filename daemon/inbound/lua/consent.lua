-- Shared by the scripts that change a person's consent (store_inbound.lua
-- for STOP and START by reply, record_consent.lua for the office):
-- prepended to each.
-- out_keys: {sms = consent:out:sms, whatsapp = ..., push = ...}; channels:
-- the names to change; consent: 'out' or 'in'; entry: the history entry's
-- other fields (at, by, via, text or note).
-- An opt-out keeps its first record (when and how: a person's own STOP is
-- not overwritten by a later one); only channels whose state changed are
-- logged, and nothing when none did.
local function apply_consent(out_keys, log_key, mobile, consent, channels, entry)
  table.sort(channels)
  local changed = {}
  for _, name in ipairs(channels) do
    local done
    if consent == 'out' then
      done = redis.call('HSETNX', out_keys[name], mobile, entry.at .. '|' .. entry.by .. ': ' .. (entry.text or entry.note or ''))
    else
      done = redis.call('HDEL', out_keys[name], mobile)
    end
    if done == 1 then changed[#changed + 1] = name end
  end
  if #changed == 0 then return end
  entry.consent = consent
  entry.channels = changed
  redis.call('LPUSH', log_key, cjson.encode(entry))
  redis.call('LTRIM', log_key, 0, 199)
end
