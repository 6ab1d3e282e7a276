-- Offers one automatic reply to the reply lane (out:replies), unless a guard
-- says no: the third message with the same text from one number within ten
-- minutes gets no reply (another robot, or a loop); a help reply to an
-- unrecognised message goes at most once a day per number; no number gets
-- more than ARGV[3] automatic replies an hour.
-- KEYS[1] ar:repeat:<mobile>:<text hash>   KEYS[2] ar:count:<mobile>
-- KEYS[3] ar:help:<mobile>   KEYS[4] out:replies
-- ARGV[1] kind   ARGV[2] the reply (JSON)   ARGV[3] most automatic replies per number an hour
-- Returns queued, repeated, help_sent_today or rate_limited.
local seen = redis.call('INCR', KEYS[1])
if seen == 1 then redis.call('EXPIRE', KEYS[1], 600) end
if seen > 2 then return 'repeated' end
if ARGV[1] == 'help_once' and not redis.call('SET', KEYS[3], '1', 'NX', 'EX', 86400) then return 'help_sent_today' end
local sent = redis.call('INCR', KEYS[2])
if sent == 1 then redis.call('EXPIRE', KEYS[2], 3600) end
if sent > tonumber(ARGV[3]) then return 'rate_limited' end
redis.call('RPUSH', KEYS[4], ARGV[2])
return 'queued'
