-- Admit and store one submission in a single round trip, atomically:
-- duplicate, flood and rate checks; the author's block/hold rule; the spam-wave count;
-- then the comment, its indexes, its scoring-stream entry, its audit entry and (with an
-- Idempotency-Key) the answer to replay. Nothing is written unless everything is.
-- KEYS: 1 comment, 2 status time, 3 status risk, 4 post time, 5 post risk, 6 incoming stream,
--       7 audit stream, 8 by-email set, 9 flood ip, 10 flood email, 11 bucket ip, 12 duplicate,
--       13 authors hash, 14 idempotency, 15 events outbox, 16.. wave band sorted sets
-- ARGV: 1 id, 2 record (JSON object of string fields), 3 created_us, 4 created_at,
--       5 checks (1: apply duplicate/flood/rate), 6 flood ms, 7 (unused), 8 bucket capacity,
--       9 refill per ms, 10 duplicate ttl s, 11 author digest (wave member), 12 wave window s, 13 (unused),
--       14 author rule candidates (JSON list), 15 idempotency answer ('' for none), 16 its ttl s
-- Redis's clock, not the callers': concurrent web workers must not move the bucket backwards.
local clock = redis.call('TIME')
local now_ms = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
if ARGV[5] == '1' then
  local dedupe = tonumber(ARGV[10]) > 0
  if dedupe and redis.call('EXISTS', KEYS[12]) == 1 then
    return {'duplicate', 0}
  end
  local wait = math.max(redis.call('PTTL', KEYS[9]), redis.call('PTTL', KEYS[10]))
  if wait > 0 then
    return {'flood', wait}
  end
  local now, capacity, refill = now_ms, tonumber(ARGV[8]), tonumber(ARGV[9])
  local bucket = redis.call('HMGET', KEYS[11], 'tokens', 'at')
  local tokens = tonumber(bucket[1]) or capacity
  local at = tonumber(bucket[2]) or now
  tokens = math.min(capacity, tokens + math.max(0, now - at) * refill)
  if tokens < 1 then
    return {'rate', math.ceil((1 - tokens) / refill)}
  end
  redis.call('HSET', KEYS[11], 'tokens', tostring(tokens - 1), 'at', tostring(now))
  redis.call('PEXPIRE', KEYS[11], math.ceil(capacity / refill))
  if tonumber(ARGV[6]) > 0 then
    redis.call('SET', KEYS[9], '1', 'PX', ARGV[6])
    redis.call('SET', KEYS[10], '1', 'PX', ARGV[6])
  end
  if dedupe then
    redis.call('SET', KEYS[12], '1', 'EX', ARGV[10])
  end
end

local record = cjson.decode(ARGV[2])
-- The author's rule: a block beats a hold.
local rule = ''
local candidates = cjson.decode(ARGV[14])
if #candidates > 0 then
  local found = redis.call('HMGET', KEYS[13], unpack(candidates))
  for _, value in ipairs(found) do
    if value then
      if rule == '' or cjson.decode(value)['mode'] == 'block' then
        rule = value
      end
    end
  end
end
record['author_rule'] = rule
-- Near-duplicates: each MinHash band is a sorted set of authors (by last time seen); the wave
-- is the largest number of distinct authors sharing a band with this text within the window.
-- O(log n) per band, however large the wave grows.
local wave = 0
if #KEYS > 15 then
  local now_s = now_ms / 1000
  for i = 16, #KEYS do
    redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now_s - tonumber(ARGV[12]))
    redis.call('ZADD', KEYS[i], tostring(now_s), ARGV[11])
    redis.call('EXPIRE', KEYS[i], ARGV[12])
    wave = math.max(wave, redis.call('ZCARD', KEYS[i]))
  end
end
record['wave_size'] = tostring(wave)

local fields = {}
for name, value in pairs(record) do
  fields[#fields + 1] = name
  fields[#fields + 1] = value
end
local id = ARGV[1]
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('ZADD', KEYS[2], ARGV[3], id)
redis.call('ZADD', KEYS[3], 0, id)
redis.call('ZADD', KEYS[4], ARGV[3], id)
redis.call('ZADD', KEYS[5], 0, id)
redis.call('XADD', KEYS[6], '*', 'id', id)
redis.call('XADD', KEYS[7], '*', 'comment_id', id, 'actor', 'submission', 'from', '', 'to', 'received',
  'reason', 'received', 'model_version', '', 'at', ARGV[4])
if record['email_hash'] and record['email_hash'] ~= '' then
  redis.call('SADD', KEYS[8], id)
end
if ARGV[15] ~= '' then
  redis.call('SET', KEYS[14], ARGV[15], 'EX', ARGV[16])
end
redis.call('XADD', KEYS[15], 'MAXLEN', '~', '100000', '*', 'type', 'comment.received', 'comment_id', id,
  'at', ARGV[4])
return {'ok', wave}
