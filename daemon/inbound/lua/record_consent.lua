-- The office records a person's opt-out or opt-in (PUT
-- /v1/directory/contacts/{id}/consent), logged like one by reply.
-- KEYS[1] consent:out:sms   KEYS[2] consent:out:whatsapp   KEYS[3] consent:out:push   KEYS[4] consent:log:<mobile>
-- ARGV[1] mobile   ARGV[2] 'out' or 'in'   ARGV[3] channel name or 'all'   ARGV[4] at (RFC 3339)   ARGV[5] who   ARGV[6] note
local channels = ARGV[3] == 'all' and {'sms', 'whatsapp', 'push'} or {ARGV[3]}
apply_consent({sms = KEYS[1], whatsapp = KEYS[2], push = KEYS[3]}, KEYS[4], ARGV[1], ARGV[2], channels,
              {at = ARGV[4], by = ARGV[5], note = ARGV[6]})
return 1
