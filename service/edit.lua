-- A moderator edits a comment's text: the first original is kept, the editor and the time recorded, and the
-- audit stream says so, in one step (no reader ever sees new text without its trace).
-- KEYS[1] comment hash, KEYS[2] audit stream (the comment's shard)
-- ARGV[1] comment id, ARGV[2] new text, ARGV[3] editor, ARGV[4] time (ISO)
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local status = redis.call('HGET', KEYS[1], 'status') or ''
redis.call('HSETNX', KEYS[1], 'original_content', redis.call('HGET', KEYS[1], 'content') or '')
redis.call('HSET', KEYS[1], 'content', ARGV[2], 'edited_by', ARGV[3], 'edited_at', ARGV[4])
redis.call('XADD', KEYS[2], '*', 'comment_id', ARGV[1], 'actor', ARGV[3], 'from', status, 'to', status,
           'reason', 'edit', 'model_version', '', 'at', ARGV[4])
return 1
