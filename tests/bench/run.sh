#!/bin/bash
# run.sh — gaiarouterd against a mock upstream, beside nginx and no proxy
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: run.sh [GAIAROUTERD]      (or GAIAROUTERD=… run.sh)
#
# On loopback, in one run and against the same nginx mock upstream:
#   direct     wrk → mock                                  (the floor)
#   nginx      wrk → nginx proxy_pass, 1 worker, keepalive pool → mock
#   gateway    wrk → gaiarouterd → OpenAI-kind provider → mock
#   translate  wrk → gaiarouterd → Anthropic-kind provider → mock
#   bare       wrk → bare-soup: a SoupServer answering the fixture itself
#   bareproxy  wrk → bare-soup → mock through the gateway's curl loop
#              (these two: json mode only, BARE_SOUP=build/tests/bench/bare-soup)
# each in json and stream mode at 1, 16 and 64 connections.  Prints
# requests/s, p50/p99, added p50 over direct, CPU µs per request and RSS
# of the target process, the ratios to nginx and the issue's goals.
#
# Environment: DURATION (10s) WARMUP (2s) CONNS ("1 16 64") REPEAT (1:
# passes, interleaved; medians are reported) THREADS (gaiarouterd
# --threads; default one per CPU) MODES ("json stream") TARGETS ("direct
# nginx gateway translate") WRK_THREADS (1) OUT (a file to keep the raw
# results in) KEEP_TMP (keep configs and logs).

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
GAIAROUTERD=${1:-${GAIAROUTERD:-}}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
CONNS=${CONNS:-"1 16 64"}
REPEAT=${REPEAT:-1}
THREADS=${THREADS:-}
MODES=${MODES:-"json stream"}
TARGETS=${TARGETS:-"direct nginx gateway translate"}
WRK_THREADS=${WRK_THREADS:-1}

case " $TARGETS " in
  *" gateway "*|*" translate "*)
    [ -n "$GAIAROUTERD" ] && [ -x "$GAIAROUTERD" ] ||
      { echo "usage: $0 GAIAROUTERD (or set TARGETS without gateway/translate)" >&2; exit 2; } ;;
esac

# shellcheck source=bench-lib.sh
. "$here/bench-lib.sh"
bench_require_tools
trap bench_cleanup EXIT
trap 'exit 130' INT TERM
bench_make_tmp
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

read -r mock_json mock_stream proxy_json proxy_stream gw_port bare_port bareproxy_port < <(bench_free_ports 7)

mkdir -p "$BENCH_TMP/mock" "$BENCH_TMP/proxy"
bench_mock_conf "$BENCH_TMP/mock" "$mock_json" "$mock_stream"
bench_start_nginx "$BENCH_TMP/mock"
mock_pid=$NGINX_PID
bench_proxy_conf "$BENCH_TMP/proxy" "$proxy_json" "$proxy_stream" "$mock_json" "$mock_stream"
bench_start_nginx "$BENCH_TMP/proxy"
proxy_pid=$NGINX_PID
GW_PID=
GW_KEY=
case " $TARGETS " in
  *" gateway "*|*" translate "*)
    bench_start_gateway "$GAIAROUTERD" "$BENCH_TMP/gw" "$gw_port" "$mock_json" "$mock_stream" "$THREADS" ;;
esac

case " $TARGETS " in
  *" bare "*|*" bareproxy "*)
    [ -n "${BARE_SOUP:-}" ] && [ -x "$BARE_SOUP" ] ||
      bench_die "targets bare/bareproxy need BARE_SOUP (ninja -C build tests/bench/bare-soup)"
    threads=${THREADS:-$(nproc)}
    "$BARE_SOUP" "$bare_port" "$threads" "$BENCH_FIXTURES/chat-completion.json" \
      >"$BENCH_TMP/bare.log" 2>&1 &
    bare_pid=$!
    BENCH_PIDS+=("$bare_pid")
    "$BARE_SOUP" "$bareproxy_port" "$threads" "$BENCH_FIXTURES/chat-completion.json" \
      "http://127.0.0.1:$mock_json/v1/chat/completions" >"$BENCH_TMP/bareproxy.log" 2>&1 &
    bareproxy_pid=$!
    BENCH_PIDS+=("$bareproxy_pid")
    sleep 0.3 ;;
esac

# Request bodies: the model names route through an alias (JSON) and
# provider/model (the rest).
b=$here/fixtures
bench_body "$b/chat-request.json" gpt-4o-mini >"$BENCH_TMP/plain-json.json"
bench_body "$b/chat-request-stream.json" gpt-4o-mini >"$BENCH_TMP/plain-stream.json"
bench_body "$b/chat-request.json" bench-fast >"$BENCH_TMP/gateway-json.json"
bench_body "$b/chat-request-stream.json" benchstream/gpt-4o-mini >"$BENCH_TMP/gateway-stream.json"
bench_body "$b/chat-request.json" benchant/claude-haiku-4-5 >"$BENCH_TMP/translate-json.json"
bench_body "$b/chat-request-stream.json" benchantstream/claude-haiku-4-5 >"$BENCH_TMP/translate-stream.json"

# Sets url, body, key and pids for a target and mode.
target_setup () {
  local port

  key=
  case $1 in
    direct)
      [ "$2" = json ] && port=$mock_json || port=$mock_stream
      body=$BENCH_TMP/plain-$2.json
      mapfile -t pids < <(bench_pid_tree "$mock_pid") ;;
    nginx)
      [ "$2" = json ] && port=$proxy_json || port=$proxy_stream
      body=$BENCH_TMP/plain-$2.json
      mapfile -t pids < <(bench_pid_tree "$proxy_pid") ;;
    bare|bareproxy)
      [ "$1" = bare ] && port=$bare_port || port=$bareproxy_port
      body=$BENCH_TMP/plain-$2.json
      [ "$1" = bare ] && pids=("$bare_pid") || pids=("$bareproxy_pid") ;;
    gateway|translate)
      port=$gw_port
      body=$BENCH_TMP/$1-$2.json
      key=$GW_KEY
      pids=("$GW_PID") ;;
    *)
      bench_die "unknown target $1" ;;
  esac
  url=http://127.0.0.1:$port/v1/chat/completions
}

for target in $TARGETS; do
  for mode in $MODES; do
    case $target:$mode in bare*:stream) continue ;; esac
    target_setup "$target" "$mode"
    bench_check "$url" "$body" "$key"
  done
done

results=$BENCH_TMP/results.tsv
printf 'target\tmode\tconns\tpass\trps\tp50_us\tp99_us\tcpu_us\trss_kib\terrors\n' >"$results"

echo "# GaiaRouter benchmark: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, $(uname -r)"
echo "# load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# DURATION=$DURATION WARMUP=$WARMUP CONNS=\"$CONNS\" REPEAT=$REPEAT THREADS=${THREADS:-default} WRK_THREADS=$WRK_THREADS"

for pass in $(seq 1 "$REPEAT"); do
  for mode in $MODES; do
    for conns in $CONNS; do
      for target in $TARGETS; do
        case $target:$mode in bare*:stream) continue ;; esac
        target_setup "$target" "$mode"
        threads=$WRK_THREADS
        [ "$threads" -le "$conns" ] || threads=$conns
        export BENCH_BODY=$body BENCH_KEY=$key
        wrk -t "$threads" -c "$conns" -d "$WARMUP" -s "$here/wrk-report.lua" "$url" >/dev/null
        t0=$(bench_cpu_ticks "${pids[@]}")
        line=$(wrk -t "$threads" -c "$conns" -d "$DURATION" --timeout 10s \
                 -s "$here/wrk-report.lua" "$url" | grep '^RESULT')
        t1=$(bench_cpu_ticks "${pids[@]}")
        rss=$(bench_rss_kib "${pids[@]}")
        r_requests=0 r_rps=0 r_p50_us=0 r_p99_us=0 r_errors=0
        eval "$(echo "${line#RESULT }" | tr ' ' '\n' | sed 's/^/r_/')"
        cpu=$(awk -v d=$((t1 - t0)) -v hz="$CLK_TCK" -v n="$r_requests" \
                'BEGIN { printf "%.1f", (n > 0 ? d * 1e6 / hz / n : 0) }')
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$mode" "$conns" "$pass" \
          "$r_rps" "$r_p50_us" "$r_p99_us" "$cpu" "$rss" "$r_errors" >>"$results"
        printf '# pass %s %-9s %-6s c=%-3s %9s req/s p50 %6s µs p99 %6s µs cpu %6s µs/req rss %s KiB errors %s\n' \
          "$pass" "$target" "$mode" "$conns" "$r_rps" "$r_p50_us" "$r_p99_us" "$cpu" "$rss" "$r_errors" >&2
      done
    done
  done
done

echo "# load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -n "${OUT:-}" ] && cp "$results" "$OUT"
python3 "$here/summarize.py" "$results"
