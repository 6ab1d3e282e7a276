-- Stores one inbound message unless its provider id was seen in the last
-- day: a provider that retries a webhook must not make one reply two.
-- KEYS[1] in:seen:<provider>:<id> (any name when the id is empty)   KEYS[2] in:messages
-- ARGV[1] provider   ARGV[2] provider message id   ARGV[3] from   ARGV[4] text   ARGV[5] received at (RFC 3339)
-- Returns 1 when stored, 0 when seen before.
if ARGV[2] ~= '' and not redis.call('SET', KEYS[1], '1', 'NX', 'EX', 86400) then return 0 end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', '1000000', '*', 'provider', ARGV[1], 'from', ARGV[3], 'text', ARGV[4],
           'provider_message_id', ARGV[2], 'received_at', ARGV[5])
return 1
