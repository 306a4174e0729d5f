-- Admission of one submission, in the admission slot: the flood marks and the rate buckets.
-- Only what the commenter must hear now (429); author rules and spam waves are looked up by
-- the scoring worker (wave.lua), for the moderator.
-- keys: 1 flood address, 2 flood mailbox, 3 bucket address, 4 bucket network
-- argv: 1 flood ms, 2 address bucket capacity, 3 its refill per ms, 4 network bucket capacity, 5 its refill per ms
-- Returns {'ok', 0} or {'flood'|'rate', wait ms}.
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
  local wait = math.max(redis.call('PTTL', keys[1]), redis.call('PTTL', keys[2]))
  if wait > 0 then
    return {'flood', wait}
  end
  -- Both buckets are checked before either is drawn from: a refusal costs no token.
  local buckets = {{keys[3], tonumber(argv[2]), tonumber(argv[3])}, {keys[4], tonumber(argv[4]), tonumber(argv[5])}}
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
  if tonumber(argv[1]) > 0 then
    redis.call('SET', keys[1], '1', 'PX', argv[1])
    redis.call('SET', keys[2], '1', 'PX', argv[1])
  end
  return {'ok', 0}
end
