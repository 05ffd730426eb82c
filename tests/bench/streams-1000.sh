#!/bin/bash
# streams-1000.sh — memory per open stream, and JSON throughput beside them
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: streams-1000.sh GAIAROUTERD
#
# A mock upstream (nginx + echo module) whose streams send one event per
# second for STREAM_SECONDS; gaiarouterd in front of it; streams-1000.py
# opens STREAMS concurrent streaming requests and keeps them open.  Reports
#   RSS growth per stream = (RSS with all open − RSS idle) / STREAMS
#   JSON req/s of a separate wrk client (16 connections, 5 s) with the
#   streams open, and again after they closed (the baseline)
# and fails when a stream did not open or broke, when a stream costs more
# than 64 KiB, or when the JSON throughput falls below half the baseline.
#
# Environment: STREAMS (1000) STREAM_SECONDS (120) THREADS (gaiarouterd
# --threads) WRK_DURATION (5s) KEEP_TMP.

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
GAIAROUTERD=${1:-${GAIAROUTERD:-}}
STREAMS=${STREAMS:-1000}
STREAM_SECONDS=${STREAM_SECONDS:-120}
THREADS=${THREADS:-}
WRK_DURATION=${WRK_DURATION:-5s}
LIMIT_KIB=64

[ -n "$GAIAROUTERD" ] && [ -x "$GAIAROUTERD" ] || { echo "usage: $0 GAIAROUTERD" >&2; exit 2; }

# shellcheck source=bench-lib.sh
. "$here/bench-lib.sh"
bench_require_tools
trap bench_cleanup EXIT
trap 'exit 130' INT TERM
bench_make_tmp

# Two sockets per stream in the gateway (client, upstream), one in the
# client and one in the mock, plus slack.
need=$((STREAMS * 2 + 1024))
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" -ge "$need" ] || bench_die "ulimit -n is $(ulimit -n); $need file descriptors are needed"

read -r mock_json mock_stream gw_port < <(bench_free_ports 3)
mkdir -p "$BENCH_TMP/mock"
bench_mock_conf "$BENCH_TMP/mock" "$mock_json" "$mock_stream" "$STREAM_SECONDS" 1
bench_start_nginx "$BENCH_TMP/mock"
bench_start_gateway "$GAIAROUTERD" "$BENCH_TMP/gw" "$gw_port" "$mock_json" "$mock_stream" "$THREADS"

url=http://127.0.0.1:$gw_port/v1/chat/completions
bench_body "$here/fixtures/chat-request.json" bench-fast >"$BENCH_TMP/json.json"
bench_body "$here/fixtures/chat-request-stream.json" benchstream/gpt-4o-mini >"$BENCH_TMP/stream.json"
bench_check "$url" "$BENCH_TMP/json.json" "$GW_KEY"

echo "# streams-1000: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# STREAMS=$STREAMS STREAM_SECONDS=$STREAM_SECONDS THREADS=${THREADS:-default} ulimit -n $(ulimit -n)"

# Warm up: a few JSON answers and two short-lived streams, so one-time
# allocations (connection pools, SQLite cache, thread arenas) are in the
# idle figure rather than spread over the streams.
for _ in $(seq 10); do bench_check "$url" "$BENCH_TMP/json.json" "$GW_KEY"; done
for _ in 1 2; do
  curl -s -m 2 -o /dev/null -X POST -H "Authorization: Bearer $GW_KEY" \
       -H 'Content-Type: application/json' --data-binary "@$BENCH_TMP/stream.json" "$url" || true
done
sleep 1
rss_idle=$(bench_rss_kib "$GW_PID")

json_rps () {
  BENCH_BODY=$BENCH_TMP/json.json BENCH_KEY=$GW_KEY \
    wrk -t 1 -c 16 -d "$WRK_DURATION" --timeout 10s -s "$here/wrk-report.lua" "$url" |
    sed -n 's/^RESULT.* rps=\([0-9.]*\).* p50_us=\([0-9]*\).* p99_us=\([0-9]*\).* errors=\([0-9]*\).*/\1 \2 \3 \4/p'
}

python3 "$here/streams-1000.py" "$url" "$GW_KEY" "$BENCH_TMP/stream.json" "$STREAMS" \
  >"$BENCH_TMP/client.log" 2>&1 &
client_pid=$!
BENCH_PIDS=("$client_pid" "${BENCH_PIDS[@]}")
t0=$(date +%s)
until grep -q '^READY' "$BENCH_TMP/client.log"; do
  kill -0 "$client_pid" 2>/dev/null || { cat "$BENCH_TMP/client.log" >&2; bench_die "the stream client exited"; }
  [ $(($(date +%s) - t0)) -le 120 ] || bench_die "the streams did not open within 120 s"
  sleep 0.2
done
ready=$(grep '^READY' "$BENCH_TMP/client.log")
open_s=$(($(date +%s) - t0))
sleep 3
rss_open=$(bench_rss_kib "$GW_PID")
threads_open=$(awk '/^Threads:/ { print $2 }' "/proc/$GW_PID/status")
fds_open=$(ls "/proc/$GW_PID/fd" | wc -l)

cpu0=$(bench_cpu_ticks "$GW_PID")
read -r rps_streams p50_streams p99_streams err_streams < <(json_rps)
cpu1=$(bench_cpu_ticks "$GW_PID")
rss_after_wrk=$(bench_rss_kib "$GW_PID")
status=$(grep '^STATUS' "$BENCH_TMP/client.log" | tail -n 1)

# Streams idle CPU: one event per stream per second.
cpu2=$(bench_cpu_ticks "$GW_PID")
sleep 5
cpu3=$(bench_cpu_ticks "$GW_PID")
status_end=$(grep '^STATUS' "$BENCH_TMP/client.log" | tail -n 1)

kill "$client_pid" 2>/dev/null || true
wait "$client_pid" 2>/dev/null || true
sleep 3
rss_closed=$(bench_rss_kib "$GW_PID")
read -r rps_base p50_base p99_base err_base < <(json_rps)

per_stream=$(awk -v a="$rss_open" -v b="$rss_idle" -v n="$STREAMS" 'BEGIN { printf "%.1f", (a - b) / n }')
ratio=$(awk -v a="$rps_streams" -v b="$rps_base" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
idle_cpu=$(awk -v d=$((cpu3 - cpu2)) -v hz="$CLK_TCK" 'BEGIN { printf "%.1f", d * 100 / hz / 5 }')
open_now=$(echo "$status_end" | sed -n 's/.*open=\([0-9]*\).*/\1/p')
failed_now=$(echo "$status_end" | sed -n 's/.*failed=\([0-9]*\).*/\1/p')

cat <<EOF
client: $ready (all open after ${open_s} s); after the wrk runs: $status_end
gaiarouterd with $STREAMS streams open: $threads_open threads, $fds_open fds

| measure | value |
|---|---:|
| RSS idle (warmed up) | $((rss_idle / 1024)) MiB ($rss_idle KiB) |
| RSS with $STREAMS streams open | $((rss_open / 1024)) MiB ($rss_open KiB) |
| RSS growth per stream | $per_stream KiB |
| RSS after wrk, streams still open | $((rss_after_wrk / 1024)) MiB |
| RSS after the streams closed | $((rss_closed / 1024)) MiB |
| CPU of gaiarouterd, streams only (1 event/s each) | $idle_cpu % of one core |
| JSON req/s, 16 conns, streams open | $rps_streams (p50 $p50_streams µs, p99 $p99_streams µs, errors $err_streams) |
| JSON req/s, 16 conns, baseline (streams closed) | $rps_base (p50 $p50_base µs, p99 $p99_base µs, errors $err_base) |
| with streams ÷ baseline | $ratio |
| CPU µs per JSON request with streams open | $(awk -v d=$((cpu1 - cpu0)) -v hz="$CLK_TCK" -v r="$rps_streams" -v s="${WRK_DURATION%s}" 'BEGIN { printf "%.1f", (r > 0 ? d * 1e6 / hz / (r * s) : 0) }') (includes the streams' own work) |
EOF

rc=0
ok=$(echo "$ready" | sed -n 's/.*ok=\([0-9]*\).*/\1/p')
if [ "${ok:-0}" -ne "$STREAMS" ] || [ "${open_now:-0}" -ne "$STREAMS" ] || [ "${failed_now:-1}" -ne 0 ]; then
  echo "FAIL: not every stream opened and stayed open"
  rc=1
fi
if awk -v p="$per_stream" -v l="$LIMIT_KIB" 'BEGIN { exit !(p > l) }'; then
  echo "FAIL: $per_stream KiB per stream is more than $LIMIT_KIB KiB"
  rc=1
else
  echo "ok: $per_stream KiB per stream (goal ≤ $LIMIT_KIB KiB)"
fi
if awk -v r="$ratio" 'BEGIN { exit !(r < 0.5) }'; then
  echo "FAIL: JSON throughput collapsed with the streams open ($ratio × the baseline)"
  rc=1
else
  echo "ok: JSON throughput with the streams open is $ratio × the baseline"
fi
exit $rc
