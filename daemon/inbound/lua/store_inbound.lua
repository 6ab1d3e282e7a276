-- Stores one inbound message with what was decided about it, unless it was
-- seen before: by its provider id within a day (a provider that retries a
-- webhook must not make one reply two), or, for a message without an id,
-- by sender and text within a few minutes. In the same step it applies what it
-- decided about consent: STOP takes the number off the channel it came on
-- (STOP ALL: every channel), START puts it back; each change is logged; and
-- a YES or NO is recorded for its meeting (meetings/lua/answer.lua), so a
-- message kept is never an answer lost.
-- KEYS[1] in:seen:<provider>:<id, or a hash of sender and text>   KEYS[2] in:messages
-- KEYS[3] in:person:<mobile> (any name when there is no person)
-- KEYS[4] consent:out:sms   KEYS[5] consent:out:whatsapp   KEYS[6] consent:out:push
-- KEYS[7] consent:log:<mobile> (any name when there is no number)
-- KEYS[8] rp:<day> (the day's reports)   KEYS[9] rp:<day>:who (who reported that day)
-- KEYS[10...] the answer's candidate meetings' keys, six each (answer.lua)
-- ARGV[1] provider   ARGV[2] provider message id   ARGV[3] from   ARGV[4] text   ARGV[5] received at (RFC 3339)
-- ARGV[6] channel   ARGV[7] outcome   ARGV[8] intent   ARGV[9] code ("" none)   ARGV[10] mobile ("" none)
-- ARGV[11] "1" when an opt-out or opt-in covers every channel   ARGV[12] language   ARGV[13] a report's text
-- ARGV[14] how long it counts as seen (s)   ARGV[15] 'yes' or 'no' to record, or ''
-- ARGV[16] a report's unit   ARGV[17] its day (IST)   ARGV[18] the person's posts' unit chains (answer.lua)
-- ARGV[19] when the provider says it was sent ("" not given)   ARGV[20...] the candidates' ids
-- Returns 0 when seen before, else {entry id} and, for an answer, what came of it (answer.lua's reply).
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[14]) then return 0 end
local id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', '1000000', '*', 'provider', ARGV[1], 'from', ARGV[3], 'text', ARGV[4],
                      'provider_message_id', ARGV[2], 'received_at', ARGV[5], 'channel', ARGV[6], 'outcome', ARGV[7],
                      'intent', ARGV[8], 'code', ARGV[9], 'mobile', ARGV[10], 'language', ARGV[12], 'report', ARGV[13],
                      'sent_at', ARGV[19])
local mobile = ARGV[10]
if mobile ~= '' then
  -- The person's own history (GET /v1/directory/contacts/{id}/inbound): the newest 500.
  redis.call('LPUSH', KEYS[3], id)
  redis.call('LTRIM', KEYS[3], 0, 499)
end
if mobile ~= '' and (ARGV[7] == 'opted_out' or ARGV[7] == 'opted_in') then
  local channels = ARGV[11] == '1' and {'sms', 'whatsapp', 'push'} or {ARGV[6]}
  apply_consent({sms = KEYS[4], whatsapp = KEYS[5], push = KEYS[6]}, KEYS[7], mobile, ARGV[7] == 'opted_out' and 'out' or 'in',
                channels, {at = ARGV[5], by = 'reply', via = ARGV[1], text = ARGV[4]})
end
if ARGV[7] == 'report' and mobile ~= '' then
  -- A daily report: kept for the day (several a day are kept), and who reported, for 400 days.
  redis.call('RPUSH', KEYS[8], cjson.encode({id = id, mobile = mobile, unit = ARGV[16], day = ARGV[17], text = ARGV[13],
                                            channel = ARGV[6], at = ARGV[5]}))
  redis.call('LTRIM', KEYS[8], -100000, -1)  -- a day keeps its last 100,000 reports
  redis.call('SADD', KEYS[9], mobile)
  redis.call('EXPIRE', KEYS[8], 400 * 86400)
  redis.call('EXPIRE', KEYS[9], 400 * 86400)
end
local out = {id}
if ARGV[15] ~= '' and mobile ~= '' then
  local ids = {}
  for n = 20, #ARGV do ids[#ids + 1] = ARGV[n] end
  for _, v in ipairs(record_answer_at(9, ids, mobile, ARGV[15], ARGV[5], ARGV[6], ARGV[18])) do out[#out + 1] = v end
end
return out
