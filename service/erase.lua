-- Delete one comment and every index entry that names it, in one atomic step; a comment
-- acknowledged but not yet written by a worker is deleted as its scoring-stream entry.
-- KEYS[1] comment hash, KEYS[2] incoming stream, KEYS[3] its label, KEYS[4] labels index, KEYS[5] label counts
-- ARGV: 1 id, 2..5 index key templates (status time, status risk, post time, post risk),
--       6 trust template, 7 by-email template, 8 stream entry id ('' for none), 9 consumer group
local erased = 0
if ARGV[8] ~= '' then
  local found = redis.call('XRANGE', KEYS[2], ARGV[8], ARGV[8])
  if #found > 0 and found[1][2][2] == string.sub(ARGV[1], 18) then
    redis.call('XACK', KEYS[2], ARGV[9], ARGV[8])
    redis.call('XDEL', KEYS[2], ARGV[8])
    erased = 1
  end
end
local label = redis.call('HMGET', KEYS[3], 'source', 'spam', 'toxic')
if label[1] then  -- the moderator's label goes with the comment
  local counts = {spam = {['1'] = 'spam', ['0'] = 'ham'}, toxic = {['1'] = 'toxic', ['0'] = 'non_toxic'}}
  for i, name in ipairs({'spam', 'toxic'}) do
    local said = counts[name][label[i + 1] or '']
    if said then redis.call('HINCRBY', KEYS[5], said .. '|' .. label[1], -1) end
  end
  redis.call('DEL', KEYS[3])
  redis.call('ZREM', KEYS[4], ARGV[1])
end
local status = redis.call('HGET', KEYS[1], 'status')
if not status then
  return erased
end
local id = ARGV[1]
local post = redis.call('HGET', KEYS[1], 'post_id')
local email_hash = redis.call('HGET', KEYS[1], 'email_hash')
redis.call('ZREM', string.format(ARGV[2], status), id)
redis.call('ZREM', string.format(ARGV[3], status), id)
redis.call('ZREM', string.format(ARGV[4], post, status), id)
redis.call('ZREM', string.format(ARGV[5], post, status), id)
if email_hash and email_hash ~= '' then
  if status == 'approved' then
    redis.call('DECR', string.format(ARGV[6], email_hash))
  end
  redis.call('SREM', string.format(ARGV[7], email_hash), id)
end
redis.call('DEL', KEYS[1])
return 1
