-- wrk script: `wrk -s bench/load.lua URL -- METHOD BODIES_FILE TOKEN`
-- POST bodies come from a JSON Lines file; EMAIL in a body becomes a unique address and each
-- request carries its own X-Forwarded-For (as behind a proxy), so flood control does not kick in.
-- thread_id is a global set by setup() in each thread's own Lua state (not a local: it would hide it).
local bodies, counter, method, token = {}, 0, "GET", ""
local threads_seen = 0

function setup(thread)
  threads_seen = threads_seen + 1
  thread:set("thread_id", threads_seen)
end

function init(args)
  method = args[1] or "GET"
  token = args[3] or ""
  if args[2] and args[2] ~= "" and args[2] ~= "-" then
    for line in io.lines(args[2]) do bodies[#bodies + 1] = line end
  end
  math.randomseed(os.time() + (thread_id or 0) * 7919)
end

function request()
  counter = counter + 1
  local headers = {}
  if token ~= "" and token ~= "-" then headers["Authorization"] = "Bearer " .. token end
  if method == "POST" then
    headers["Content-Type"] = "application/json"
    -- A distinct client per request: its own IPv6 /64 in 2001:2::/48, the benchmarking range (an IPv6 /64 is one
    -- commenter, and 65,536 of them come round again only after a minute): no flood or rate budget kicks in.
    local n = (counter * 2 + (thread_id or 0)) % 65536  -- threads 1 and 2 take odd and even networks
    headers["X-Forwarded-For"] = string.format("2001:2:0:%x::1", n)
    local body = bodies[(counter % #bodies) + 1]
    body = string.gsub(body, "EMAIL", "t" .. (thread_id or 0) .. "n" .. counter .. "r" .. math.random(1, 1000000000) .. "@example.fr")
    return wrk.format("POST", nil, headers, body)
  end
  return wrk.format("GET", nil, headers)
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "non2xx": %d, "socket_errors": %d, "p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
