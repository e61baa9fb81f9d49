-- bench/lg_wrk.lua: wrk script for bench/30_lg_wrk.sh.
-- Longest-match lookups of random IPv4 addresses (one /32 per request) on
-- /api/v1/routes; done() prints one RESULT line the script parses.
local counter = 0
function setup(thread)
	counter = counter + 1
	thread:set("id", counter)
end
function init(args)
	math.randomseed(id * 7919 + os.time())
end
function request()
	local a = math.random(1, 223)
	local ip = string.format("%d.%d.%d.%d", a, math.random(0, 255),
	    math.random(0, 255), math.random(0, 255))
	return wrk.format("GET", "/api/v1/routes?prefix=" .. ip)
end
function done(summary, latency, requests)
	io.write(string.format("RESULT requests=%d seconds=%.3f rps=%.0f " ..
	    "p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d errors=%d non2xx=%d\n",
	    summary.requests, summary.duration / 1e6,
	    summary.requests / (summary.duration / 1e6),
	    latency:percentile(50), latency:percentile(90),
	    latency:percentile(99), latency:percentile(99.9), latency.max,
	    summary.errors.connect + summary.errors.read + summary.errors.write +
	    summary.errors.timeout, summary.errors.status))
end
