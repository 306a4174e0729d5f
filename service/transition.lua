-- Move one comment from an allowed status to another in one atomic step:
-- indexes, fields, audit entry and (for the scoring worker) the stream acknowledgement.
-- A comment acknowledged but not yet written (its record only in its stream entry) is written
-- first when the mover names that entry (the scoring worker filing what it just scored): one
-- step from the stream to the review queue, nothing written twice.
-- KEYS[1] comment hash, KEYS[2] audit stream, KEYS[3] incoming stream, KEYS[4] events outbox
-- ARGV: 1 id, 2 allowed statuses (space separated), 3 new status, 4 actor, 5 reason,
--       6 now (ISO 8601), 7 how many extra field, value pairs follow ARGV 18, 8 risk ('' keeps the stored one),
--       9 stream entry id to acknowledge ('' for none), 10 consumer group,
--       11..14 index key templates: status time, status risk, post time, post risk; 15 trust template,
--       16 stream entry to write the comment from when it has no hash ('' for none), 17 by-email template,
--       18 site decisions template (a site's comment: its decisions-since stream),
--       19 the day's stats hash (the site's day), 20 now in microseconds, 21 the site's hour (HH),
--       22.. extra fields as flat field, value pairs (no JSON to decode here)
local id, to = ARGV[1], ARGV[3]
local current = redis.call('HGET', KEYS[1], 'status')
local written = false
if not current and ARGV[16] ~= '' then
  local found = redis.call('XRANGE', KEYS[3], ARGV[16], ARGV[16])
  if #found > 0 and found[1][2][2] == string.sub(id, 18) then
    local fields = found[1][2]
    local values = {'id', id, 'status', 'received', 'risk', '0'}
    local email_hash, created_at = nil, ''
    for i = 3, #fields, 2 do
      values[#values + 1] = fields[i]
      values[#values + 1] = fields[i + 1]
      if fields[i] == 'email_hash' then email_hash = fields[i + 1] end
      if fields[i] == 'created_at' then created_at = fields[i + 1] end
    end
    redis.call('HSET', KEYS[1], unpack(values))
    if email_hash and email_hash ~= '' then
      redis.call('SADD', string.format(ARGV[17], email_hash), id)
    end
    redis.call('XADD', KEYS[2], '*', 'comment_id', id, 'actor', 'submission', 'from', '', 'to', 'received',
      'reason', 'received', 'model_version', '', 'at', created_at)
    redis.call('XADD', KEYS[4], 'MAXLEN', '~', '100000', '*', 'type', 'comment.received', 'comment_id', id,
      'at', created_at)
    current, written = 'received', true
  end
end
local ack = ARGV[9]
if ack ~= '' then
  redis.call('XACK', KEYS[3], ARGV[10], ack)
  redis.call('XDEL', KEYS[3], ack)
end
if not current then
  return {'missing', ''}
end
if not string.find(' ' .. ARGV[2] .. ' ', ' ' .. current .. ' ', 1, true) then
  return {'conflict', current}
end
local post = redis.call('HGET', KEYS[1], 'post_id')
-- Scores stay strings: Lua would print a number with only 14 significant digits.
local created = redis.call('HGET', KEYS[1], 'created_us')
local risk = ARGV[8]
if risk == '' then risk = redis.call('HGET', KEYS[1], 'risk') or '0' end
redis.call('HSET', KEYS[1], 'status', to, 'risk', risk, unpack(ARGV, 22, 21 + 2 * tonumber(ARGV[7])))
local t_time, t_risk, p_time, p_risk = ARGV[11], ARGV[12], ARGV[13], ARGV[14]
if not written then  -- a comment just written from its entry is in no index yet
  redis.call('ZREM', string.format(t_time, current), id)
  redis.call('ZREM', string.format(t_risk, current), id)
  redis.call('ZREM', string.format(p_time, post, current), id)
  redis.call('ZREM', string.format(p_risk, post, current), id)
end
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
  local site = redis.call('HGET', KEYS[1], 'site')
  if site and site ~= '' then
    redis.call('XADD', string.format(ARGV[18], site), 'MAXLEN', '~', '100000', '*', 'comment_id', id,
      'external_id', redis.call('HGET', KEYS[1], 'external_id') or '', 'status', to, 'at', ARGV[6])
  end
end
-- The dashboard's daily rollup: one hash per shard and day (kept 400 days), never a scan.
-- Outcomes by how they were filed (from received, by the scoring worker or an import: auto; later, by a person:
-- hand); an undo takes its decision back; a person's decision on a waiting comment adds its delay since
-- submission to a log2 histogram of seconds; toxic rejections
-- say whether the model had flagged them (toxicity >= 0.5); the waiting queue's depth per hour.
if to ~= current then
  local stats = ARGV[19]
  local auto = current == 'received'
  if ARGV[5] == 'undo' then
    redis.call('HINCRBY', stats, current .. ':hand', -1)
  elseif to ~= 'received' and to ~= 'pending' or auto then
    redis.call('HINCRBY', stats, to .. (auto and ':auto' or ':hand'), 1)
  end
  if current == 'pending' and to ~= 'received' and ARGV[5] ~= 'undo' and created then
    local seconds = math.max(1, (tonumber(ARGV[20]) - tonumber(created)) / 1000000)
    redis.call('HINCRBY', stats, 'delay:' .. math.floor(math.log(seconds) / math.log(2)), 1)
  end
  if to == 'rejected' and redis.call('HGET', KEYS[1], 'reject_reason') == 'toxic' then
    local ok, scores = pcall(cjson.decode, redis.call('HGET', KEYS[1], 'scores') or '')
    local flagged = ok and type(scores) == 'table' and tonumber(scores['toxicity'] or 0) >= 0.5
    redis.call('HINCRBY', stats, flagged and 'toxic:flagged' or 'toxic:missed', 1)
  end
  redis.call('HSET', stats, 'depth:' .. ARGV[21], redis.call('ZCARD', string.format(t_time, 'pending')))
  redis.call('EXPIRE', stats, 34560000)
end
return {'ok', current}
