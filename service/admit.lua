-- Admission of one submission, in the admission slot: flood marks, the rate bucket, the
-- author's block/hold rule and the spam-wave count.
-- keys: 1 flood ip, 2 flood email, 3 bucket ip, 4 authors hash, 5.. wave band sorted sets
-- argv: 1 checks (1: apply flood and rate), 2 flood ms, 3 bucket capacity, 4 refill per ms,
--       5 author digest (wave member), 6 wave window s, 7 author rule candidates (JSON list)
-- Returns {'ok', wave size, author rule JSON or ''} or {'flood'|'rate', wait ms}.
local function admit(keys, argv)
  -- Redis's clock, not the callers': concurrent web workers must not move the bucket backwards.
  local clock = redis.call('TIME')
  local now_ms = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
  if argv[1] == '1' then
    local wait = math.max(redis.call('PTTL', keys[1]), redis.call('PTTL', keys[2]))
    if wait > 0 then
      return {'flood', wait}
    end
    local capacity, refill = tonumber(argv[3]), tonumber(argv[4])
    local bucket = redis.call('HMGET', keys[3], 'tokens', 'at')
    local tokens = tonumber(bucket[1]) or capacity
    local at = tonumber(bucket[2]) or now_ms
    tokens = math.min(capacity, tokens + math.max(0, now_ms - at) * refill)
    if tokens < 1 then
      return {'rate', math.ceil((1 - tokens) / refill)}
    end
    redis.call('HSET', keys[3], 'tokens', tostring(tokens - 1), 'at', tostring(now_ms))
    redis.call('PEXPIRE', keys[3], math.ceil(capacity / refill))
    if tonumber(argv[2]) > 0 then
      redis.call('SET', keys[1], '1', 'PX', argv[2])
      redis.call('SET', keys[2], '1', 'PX', argv[2])
    end
  end
  -- The author's rule: a block beats a hold.
  local rule = ''
  local candidates = cjson.decode(argv[7])
  if #candidates > 0 then
    local found = redis.call('HMGET', keys[4], unpack(candidates))
    for _, value in ipairs(found) do
      if value then
        if rule == '' or cjson.decode(value)['mode'] == 'block' then
          rule = value
        end
      end
    end
  end
  -- Near-duplicates: each MinHash band is a sorted set of authors (by last time seen); the wave
  -- is the largest number of distinct authors sharing a band with this text within the window.
  -- O(log n) per band, however large the wave grows.
  local wave = 0
  local now_s = now_ms / 1000
  for i = 5, #keys do
    redis.call('ZREMRANGEBYSCORE', keys[i], '-inf', now_s - tonumber(argv[6]))
    redis.call('ZADD', keys[i], tostring(now_s), argv[5])
    redis.call('EXPIRE', keys[i], argv[6])
    wave = math.max(wave, redis.call('ZCARD', keys[i]))
  end
  return {'ok', wave, rule}
end
