-- Near-duplicates: each MinHash band is a sorted set of authors (by last time seen); the wave
-- is the largest number of distinct authors sharing a band with this text within the window.
-- O(log n) per band, however large the wave grows. Run by the scoring worker, per comment.
-- keys: the comment's band sorted sets (shard 0's slot)
-- argv: 1 author digest, 2 when the comment was received (s), 3 window s
local wave, now_s, window = 0, tonumber(ARGV[2]), tonumber(ARGV[3])
for i = 1, #KEYS do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now_s - window)
  redis.call('ZADD', KEYS[i], ARGV[2], ARGV[1])
  redis.call('EXPIRE', KEYS[i], window)
  wave = math.max(wave, redis.call('ZCARD', KEYS[i]))
end
return wave
