-- The durable append of one admitted submission, in its post's shard: the answers that must
-- be given now (idempotent replay, the reply's parent, duplicate), then one stream entry that
-- holds the whole record. The scoring worker writes the comment's hash, indexes, audit entry
-- and event from that entry (materialise.lua). Nothing is written unless everything is.
-- keys: 1 incoming stream, 2 duplicate mark, 3 idempotency key, 4 parent comment hash
-- argv: 1 duplicate ttl s (0: no duplicate check), 2 idempotency ttl s (0: no key), 3 request fingerprint,
--       4 parent id ('' for none), 5 post id, 6 id suffix, 7.. the record as field, value pairs
-- Returns {'ok', id} | {'replay', 'fingerprint id'} | {'parent', ''} | {'duplicate', ''}.
local function refused(keys, argv)
  if tonumber(argv[2]) > 0 then
    local first = redis.call('GET', keys[3])
    if first then
      return {'replay', first}
    end
  end
  if argv[4] ~= '' then
    local parent = redis.call('HMGET', keys[4], 'status', 'post_id')
    if parent[1] ~= 'approved' or parent[2] ~= argv[5] then
      return {'parent', ''}
    end
  end
  if tonumber(argv[1]) > 0 and redis.call('EXISTS', keys[2]) == 1 then
    return {'duplicate', ''}
  end
  return nil
end

local function append(keys, argv)
  local entry = redis.call('XADD', keys[1], '*', 'id_suffix', argv[6], unpack(argv, 7))
  local dash = string.find(entry, '-', 1, true)
  local id = string.format('%012x%05x', tonumber(string.sub(entry, 1, dash - 1)),
    tonumber(string.sub(entry, dash + 1))) .. argv[6]
  if tonumber(argv[1]) > 0 then
    redis.call('SET', keys[2], id, 'EX', argv[1])
  end
  if tonumber(argv[2]) > 0 then
    redis.call('SET', keys[3], argv[3] .. ' ' .. id, 'EX', argv[2])
  end
  return {'ok', id}
end
