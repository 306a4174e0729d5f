-- Delete one comment and every index entry that names it, in one atomic step.
-- KEYS[1] comment hash
-- ARGV: 1 id, 2..5 index key templates (status time, status risk, post time, post risk),
--       6 trust template, 7 by-email template
local status = redis.call('HGET', KEYS[1], 'status')
if not status then
  return 0
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
