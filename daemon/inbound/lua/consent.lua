-- Shared by the scripts that change a person's consent (store_inbound.lua
-- for STOP and START by reply, record_consent.lua for the office):
-- prepended to each.
-- out_keys: {sms = consent:out:sms, whatsapp = ..., push = ...}; channels:
-- the names to change; consent: 'out' or 'in'; entry: the history entry's
-- other fields (at, by, via, text or note).
local function apply_consent(out_keys, log_key, mobile, consent, channels, entry)
  table.sort(channels)
  for _, name in ipairs(channels) do
    if consent == 'out' then
      redis.call('HSET', out_keys[name], mobile, entry.at .. '|' .. entry.by .. ': ' .. (entry.text or entry.note or ''))
    else
      redis.call('HDEL', out_keys[name], mobile)
    end
  end
  entry.consent = consent
  entry.channels = channels
  redis.call('LPUSH', log_key, cjson.encode(entry))
  redis.call('LTRIM', log_key, 0, 199)
end
