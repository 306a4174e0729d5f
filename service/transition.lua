-- Move one comment from an allowed status to another in one atomic step:
-- indexes, fields, audit entry and (for the scoring worker) the stream acknowledgement.
-- KEYS[1] comment hash, KEYS[2] audit stream, KEYS[3] incoming stream, KEYS[4] events outbox
-- ARGV: 1 id, 2 allowed statuses (space separated), 3 new status, 4 actor, 5 reason,
--       6 now (ISO 8601), 7 extra fields (JSON object), 8 risk ('' keeps the stored one),
--       9 stream entry id to acknowledge ('' for none), 10 consumer group,
--       11..14 index key templates: status time, status risk, post time, post risk; 15 trust template
local ack = ARGV[9]
if ack ~= '' then
  redis.call('XACK', KEYS[3], ARGV[10], ack)
  redis.call('XDEL', KEYS[3], ack)
end
local current = redis.call('HGET', KEYS[1], 'status')
if not current then
  return {'missing', ''}
end
if not string.find(' ' .. ARGV[2] .. ' ', ' ' .. current .. ' ', 1, true) then
  return {'conflict', current}
end
local id, to = ARGV[1], ARGV[3]
local post = redis.call('HGET', KEYS[1], 'post_id')
-- Scores stay strings: Lua would print a number with only 14 significant digits.
local created = redis.call('HGET', KEYS[1], 'created_us')
local extra = cjson.decode(ARGV[7])
for field, value in pairs(extra) do
  redis.call('HSET', KEYS[1], field, value)
end
local risk = ARGV[8]
if risk == '' then risk = redis.call('HGET', KEYS[1], 'risk') or '0' end
redis.call('HSET', KEYS[1], 'status', to, 'risk', risk)
local t_time, t_risk, p_time, p_risk = ARGV[11], ARGV[12], ARGV[13], ARGV[14]
redis.call('ZREM', string.format(t_time, current), id)
redis.call('ZREM', string.format(t_risk, current), id)
redis.call('ZREM', string.format(p_time, post, current), id)
redis.call('ZREM', string.format(p_risk, post, current), id)
redis.call('ZADD', string.format(t_time, to), created, id)
redis.call('ZADD', string.format(t_risk, to), risk, id)
redis.call('ZADD', string.format(p_time, post, to), created, id)
redis.call('ZADD', string.format(p_risk, post, to), risk, id)
local email_hash = redis.call('HGET', KEYS[1], 'email_hash')
if email_hash and email_hash ~= '' and (to == 'approved') ~= (current == 'approved') then
  redis.call('INCRBY', string.format(ARGV[15], email_hash), to == 'approved' and 1 or -1)
end
redis.call('XADD', KEYS[2], '*', 'comment_id', id, 'actor', ARGV[4], 'from', current, 'to', to,
  'reason', ARGV[5], 'model_version', redis.call('HGET', KEYS[1], 'model_version') or '', 'at', ARGV[6])
if to == 'approved' or to == 'rejected' or to == 'spam' then
  redis.call('XADD', KEYS[4], 'MAXLEN', '~', '100000', '*', 'type', 'comment.' .. to, 'comment_id', id,
    'at', ARGV[6])
end
return {'ok', current}
