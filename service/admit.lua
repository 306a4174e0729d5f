-- Flood control, rate limit and exact-duplicate check for one submission, in one atomic step.
-- KEYS[1] flood:ip  KEYS[2] flood:email  KEYS[3] bucket:ip  KEYS[4] duplicate fingerprint
-- ARGV: 1 flood window (ms, 0: off), 2 now (ms), 3 bucket capacity, 4 refill per ms,
--       5 duplicate ttl (s, 0: off)
local dedupe = tonumber(ARGV[5]) > 0
if dedupe and redis.call('EXISTS', KEYS[4]) == 1 then
  return {'duplicate', 0}
end
local wait = math.max(redis.call('PTTL', KEYS[1]), redis.call('PTTL', KEYS[2]))
if wait > 0 then
  return {'flood', wait}
end
local now, capacity, refill = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local bucket = redis.call('HMGET', KEYS[3], 'tokens', 'at')
local tokens = tonumber(bucket[1]) or capacity
local at = tonumber(bucket[2]) or now
tokens = math.min(capacity, tokens + (now - at) * refill)
if tokens < 1 then
  return {'rate', math.ceil((1 - tokens) / refill)}
end
redis.call('HSET', KEYS[3], 'tokens', tostring(tokens - 1), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[3], math.ceil(capacity / refill))
if tonumber(ARGV[1]) > 0 then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[1])
end
if dedupe then
  redis.call('SET', KEYS[4], '1', 'EX', ARGV[5])
end
return {'ok', 0}
