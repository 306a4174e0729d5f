-- Admission of one submission, in the admission slot: flood marks, the rate bucket, the
-- author's block/hold rule and the spam-wave count.
-- keys: 1 flood address, 2 flood mailbox, 3 bucket address, 4 bucket network, 5 authors hash,
--       6.. wave band sorted sets
-- argv: 1 checks (1: apply flood and rate), 2 flood ms, 3 address bucket capacity, 4 its refill per ms,
--       5 author digest (wave member), 6 wave window s, 7 author rule candidates (JSON list),
--       8 network bucket capacity, 9 its refill per ms
-- Returns {'ok', wave size, author rule JSON or ''} or {'flood'|'rate', wait ms}.
local function tokens_in(key, capacity, refill, now_ms)
  local bucket = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = tonumber(bucket[1]) or capacity
  local at = tonumber(bucket[2]) or now_ms
  return math.min(capacity, tokens + math.max(0, now_ms - at) * refill)
end

local function admit(keys, argv)
  -- Redis's clock, not the callers': concurrent web workers must not move the bucket backwards.
  local clock = redis.call('TIME')
  local now_ms = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
  if argv[1] == '1' then
    local wait = math.max(redis.call('PTTL', keys[1]), redis.call('PTTL', keys[2]))
    if wait > 0 then
      return {'flood', wait}
    end
    -- Both buckets are checked before either is drawn from: a refusal costs no token.
    local buckets = {{keys[3], tonumber(argv[3]), tonumber(argv[4])}, {keys[4], tonumber(argv[8]), tonumber(argv[9])}}
    for _, b in ipairs(buckets) do
      b[4] = tokens_in(b[1], b[2], b[3], now_ms)
      if b[4] < 1 then
        return {'rate', math.ceil((1 - b[4]) / b[3])}
      end
    end
    for _, b in ipairs(buckets) do
      redis.call('HSET', b[1], 'tokens', tostring(b[4] - 1), 'at', tostring(now_ms))
      redis.call('PEXPIRE', b[1], math.ceil(b[2] / b[3]))
    end
    if tonumber(argv[2]) > 0 then
      redis.call('SET', keys[1], '1', 'PX', argv[2])
      redis.call('SET', keys[2], '1', 'PX', argv[2])
    end
  end
  -- The author's rule: a block beats a hold.
  local rule = ''
  local candidates = cjson.decode(argv[7])
  if #candidates > 0 then
    local found = redis.call('HMGET', keys[5], unpack(candidates))
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
  for i = 6, #keys do
    redis.call('ZREMRANGEBYSCORE', keys[i], '-inf', now_s - tonumber(argv[6]))
    redis.call('ZADD', keys[i], tostring(now_s), argv[5])
    redis.call('EXPIRE', keys[i], argv[6])
    wave = math.max(wave, redis.call('ZCARD', keys[i]))
  end
  return {'ok', wave, rule}
end
