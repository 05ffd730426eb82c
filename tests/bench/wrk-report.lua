-- wrk-report.lua — POST a fixed body and print one result line
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Configured from the environment when wrk loads the script, so the
-- request is built once and Lua costs nothing per request:
--   BENCH_BODY   file with the request body (JSON)
--   BENCH_KEY    API key sent as "Authorization: Bearer …" (optional)
-- The done() hook prints percentiles from wrk's latency histogram (µs).

local f = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
local key = os.getenv("BENCH_KEY")
if key ~= nil and key ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. key
end

function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "RESULT requests=%d seconds=%.3f rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d errors=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.status + e.timeout))
end
