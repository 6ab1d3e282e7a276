-- Appends one audit entry if the chain's head is still the one the caller
-- chained it to (a compare-and-set): two instances appending at once cannot
-- fork the chain; the loser reads the new head and chains again.
-- KEYS[1] au:audit (a stream)   KEYS[2] au:audit:head ("<seq>:<mac>")
-- ARGV[1] the head the entry follows ("0:" for the first)   ARGV[2] the new head
-- ARGV[3] the entry (JSON)
-- Returns "ok", or the head as it is now.
local head = redis.call('GET', KEYS[2]) or '0:'
if head ~= ARGV[1] then return head end
redis.call('XADD', KEYS[1], '*', 'e', ARGV[3])
redis.call('SET', KEYS[2], ARGV[2])
return 'ok'
