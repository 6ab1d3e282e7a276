-- Deletes the recipients a start wrote and could not commit (the broadcast
-- was cancelled meanwhile) — unless another starter committed it, whose
-- chunks these keys now are.
-- KEYS[1] bc:<id>   KEYS[2...] the chunks' record and state keys
-- Returns how many keys were deleted.
if redis.call('HEXISTS', KEYS[1], 'started_at') == 1 then return 0 end
local deleted = 0
for n = 2, #KEYS do deleted = deleted + redis.call('DEL', KEYS[n]) end
return deleted
