-- Record one labelled example, replacing the comment's earlier label, with the per-label counts kept right.
-- KEYS[1] comment hash (its fields are the example's inputs when ARGV gives none), KEYS[2] label hash,
-- KEYS[3] labels index (sorted by time), KEYS[4] counts hash
-- An empty source forgets the comment's label (a decision undone).
-- ARGV: 1 comment id, 2 at (ms), 3 source, 4 spam ('0', '1', ''), 5 toxic ('0', '1', ''),
--       6 how many label field, value pairs follow (action, reason, by, at), 7 how many input pairs follow those,
--       8.. the pairs
local function count(label, delta)
  local source = label['source'] or ''
  if label['spam'] == '1' then redis.call('HINCRBY', KEYS[4], 'spam|' .. source, delta) end
  if label['spam'] == '0' then redis.call('HINCRBY', KEYS[4], 'ham|' .. source, delta) end
  if label['toxic'] == '1' then redis.call('HINCRBY', KEYS[4], 'toxic|' .. source, delta) end
  if label['toxic'] == '0' then redis.call('HINCRBY', KEYS[4], 'non_toxic|' .. source, delta) end
end
local old = redis.call('HMGET', KEYS[2], 'source', 'spam', 'toxic')
if old[1] then
  count({source = old[1], spam = old[2], toxic = old[3]}, -1)
  redis.call('DEL', KEYS[2])
  redis.call('ZREM', KEYS[3], ARGV[1])
end
if ARGV[3] == '' then
  return 0
end
local values = {'comment_id', ARGV[1], 'source', ARGV[3], 'spam', ARGV[4], 'toxic', ARGV[5]}
local labels, inputs = tonumber(ARGV[6]), tonumber(ARGV[7])
for i = 8, 7 + 2 * (labels + inputs) do values[#values + 1] = ARGV[i] end
if inputs == 0 then
  local names = {'site', 'post_id', 'content', 'author', 'url', 'language', 'signals', 'reasons', 'scores',
                 'model_version', 'created_at'}
  local found = redis.call('HMGET', KEYS[1], unpack(names))
  for i, name in ipairs(names) do
    if found[i] then
      values[#values + 1] = name
      values[#values + 1] = found[i]
    end
  end
end
redis.call('HSET', KEYS[2], unpack(values))
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
count({source = ARGV[3], spam = ARGV[4], toxic = ARGV[5]}, 1)
return 1
