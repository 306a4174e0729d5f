-- Write one acknowledged comment from its scoring-stream entry: the hash, the 'received'
-- indexes, the by-email set, the audit entry and the comment.received event. Idempotent: a
-- replayed entry writes nothing twice, and an erased one (entry gone) nothing at all.
-- keys: 1 comment hash, 2 incoming stream, 3 status time, 4 status risk, 5 audit, 6 events
-- argv: 1 id, 2 entry id, 3 post time template, 4 post risk template, 5 by-email template
-- Returns 'written', 'exists' or 'gone'.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 'exists'
end
local id = ARGV[1]
local found = redis.call('XRANGE', KEYS[2], ARGV[2], ARGV[2])
if #found == 0 then
  return 'gone'
end
local fields, record = found[1][2], {}
for i = 1, #fields, 2 do
  record[fields[i]] = fields[i + 1]
end
if record['id_suffix'] ~= string.sub(id, 18) then
  return 'gone'
end
local values = {'id', id, 'status', 'received', 'risk', '0'}
for i = 3, #fields do
  values[#values + 1] = fields[i]
end
redis.call('HSET', KEYS[1], unpack(values))
local created, post = record['created_us'], record['post_id']
redis.call('ZADD', KEYS[3], created, id)
redis.call('ZADD', KEYS[4], 0, id)
redis.call('ZADD', string.format(ARGV[3], post, 'received'), created, id)
redis.call('ZADD', string.format(ARGV[4], post, 'received'), 0, id)
if record['email_hash'] and record['email_hash'] ~= '' then
  redis.call('SADD', string.format(ARGV[5], record['email_hash']), id)
end
redis.call('XADD', KEYS[5], '*', 'comment_id', id, 'actor', 'submission', 'from', '', 'to', 'received',
  'reason', 'received', 'model_version', '', 'at', record['created_at'])
redis.call('XADD', KEYS[6], 'MAXLEN', '~', '100000', '*', 'type', 'comment.received', 'comment_id', id,
  'at', record['created_at'])
return 'written'
