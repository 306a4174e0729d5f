-- Storage of one admitted submission, in its post's shard: the duplicate check, then the
-- comment, its indexes, its scoring-stream entry, its audit entry, its webhook event and
-- (with an Idempotency-Key) the answer to replay. Nothing is written unless everything is.
-- keys: 1 comment, 2 status time, 3 status risk, 4 post time, 5 post risk, 6 incoming stream,
--       7 audit stream, 8 by-email set, 9 duplicate mark, 10 idempotency, 11 events outbox
-- argv: 1 id, 2 record (JSON object of string fields), 3 created_us, 4 created_at,
--       5 checks (1: refuse duplicates), 6 duplicate ttl s, 7 idempotency answer ('' for none), 8 its ttl s
local function is_duplicate(keys, argv)
  return argv[5] == '1' and tonumber(argv[6]) > 0 and redis.call('EXISTS', keys[9]) == 1
end

local function write(keys, argv, wave, rule)
  if argv[5] == '1' and tonumber(argv[6]) > 0 then
    redis.call('SET', keys[9], '1', 'EX', argv[6])
  end
  local record = cjson.decode(argv[2])
  record['author_rule'] = rule
  record['wave_size'] = tostring(wave)
  local fields = {}
  for name, value in pairs(record) do
    fields[#fields + 1] = name
    fields[#fields + 1] = value
  end
  local id = argv[1]
  redis.call('HSET', keys[1], unpack(fields))
  redis.call('ZADD', keys[2], argv[3], id)
  redis.call('ZADD', keys[3], 0, id)
  redis.call('ZADD', keys[4], argv[3], id)
  redis.call('ZADD', keys[5], 0, id)
  redis.call('XADD', keys[6], '*', 'id', id)
  redis.call('XADD', keys[7], '*', 'comment_id', id, 'actor', 'submission', 'from', '', 'to', 'received',
    'reason', 'received', 'model_version', '', 'at', argv[4])
  if record['email_hash'] and record['email_hash'] ~= '' then
    redis.call('SADD', keys[8], id)
  end
  if argv[7] ~= '' then
    redis.call('SET', keys[10], argv[7], 'EX', argv[8])
  end
  redis.call('XADD', keys[11], 'MAXLEN', '~', '100000', '*', 'type', 'comment.received', 'comment_id', id,
    'at', argv[4])
  return {'ok', wave}
end
