# bench-lib.sh — helpers shared by run.sh and streams-1000.sh (sourced, bash)
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Everything listens on 127.0.0.1 on ports picked free at start, so a run
# never collides with another one on a shared machine.  Every process we
# start is remembered by PID in BENCH_PIDS and stopped by bench_cleanup,
# never by name.

# shellcheck shell=bash disable=SC2034  # the variables are for the callers

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_FIXTURES=$BENCH_DIR/fixtures
ECHO_MODULE=${ECHO_MODULE:-/usr/lib/nginx/modules/ngx_http_echo_module.so}
NGINX=${NGINX:-$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)}
CLK_TCK=$(getconf CLK_TCK)
BENCH_PIDS=()
BENCH_TMP=

bench_log () { printf '%s\n' "$*" >&2; }
bench_die () { bench_log "bench: $*"; exit 1; }

# Checks for wrk, nginx with the echo module, python3 and curl.  As root
# with apt-get at hand, installs what is missing; otherwise says what to
# install.
bench_require_tools () {
  local missing=()

  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  [ -x "$NGINX" ] && [ -r "$ECHO_MODULE" ] || missing+=(nginx-light)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  [ ${#missing[@]} -eq 0 ] && return 0

  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    bench_log "bench: installing ${missing[*]} with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2 ||
      bench_die "apt-get install ${missing[*]} failed"
    NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
  else
    bench_die "missing tools; install them with: sudo apt-get install ${missing[*]}"
  fi
}

bench_make_tmp () {
  BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/gr-bench-XXXXXX")
  # nginx workers started by root run as nobody and must read the configs.
  chmod 755 "$BENCH_TMP"
}

bench_cleanup () {
  local pid

  for pid in "${BENCH_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${BENCH_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  BENCH_PIDS=()
  if [ -n "$BENCH_TMP" ] && [ -z "${KEEP_TMP:-}" ]; then
    rm -rf "$BENCH_TMP"
  fi
}

# Prints N distinct free TCP ports on 127.0.0.1.
bench_free_ports () {
  python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

# nginx config quoting: the bodies are single-quoted strings, where nginx
# turns "\n" into a newline; our fixtures contain no quote, backslash or $.
bench_nginx_quote () {
  awk 'BEGIN { ORS = "" } { print (NR > 1 ? "\\n" : "") $0 }' "$1"
}

# Emits echo directives streaming an SSE file one event per chunk.
bench_echo_events () {
  awk 'BEGIN { RS = ""; ORS = "" }
       { gsub(/\n/, "\\n"); print "      echo -n \047" $0 "\\n\\n\047;\n      echo_flush;\n" }' "$1"
}

# bench_echo_slow FILE N INTERVAL: a long stream of an OpenAI SSE file: its
# first event, then its second (a content delta) N times with INTERVAL
# seconds before each, then its last three (finish, usage, [DONE]).
bench_echo_slow () {
  awk -v n="$2" -v interval="$3" '
    BEGIN { RS = ""; ORS = "" }
    { gsub(/\n/, "\\n"); ev[++count] = "      echo -n \047" $0 "\\n\\n\047;\n      echo_flush;\n" }
    END {
      print ev[1]
      for (i = 0; i < n; i++) print "      echo_sleep " interval ";\n" ev[2]
      for (i = count - 2; i <= count; i++) print ev[i]
    }' "$1"
}

# bench_nginx_common DIR WORKERS: the top of an nginx config.
bench_nginx_common () {
  cat <<EOF
load_module $ECHO_MODULE;
daemon off;
master_process on;
worker_processes $2;
worker_rlimit_nofile 65536;
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 16384; multi_accept on; }
http {
  access_log off;
  client_body_temp_path $1/tmp/body;
  proxy_temp_path $1/tmp/proxy;
  fastcgi_temp_path $1/tmp/fastcgi;
  uwsgi_temp_path $1/tmp/uwsgi;
  scgi_temp_path $1/tmp/scgi;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  client_max_body_size 16m;
EOF
}

# bench_mock_conf DIR JSON_PORT STREAM_PORT [SLOW_EVENTS SLOW_INTERVAL_S]
# The mock upstream: on JSON_PORT, POST /v1/chat/completions answers the
# fixed chat completion and /v1/messages the Anthropic message; on
# STREAM_PORT both always stream (OpenAI chunks, Anthropic events).  With
# SLOW_EVENTS, the OpenAI stream sends that many deltas, one per interval.
bench_mock_conf () {
  local d=$1 openai_stream

  if [ -n "${4:-}" ]; then
    openai_stream=$(bench_echo_slow "$BENCH_FIXTURES/chat-completion-stream.sse" "$4" "${5:-1}")
  else
    openai_stream=$(bench_echo_events "$BENCH_FIXTURES/chat-completion-stream.sse")
  fi
  mkdir -p "$d/tmp"
  {
    bench_nginx_common "$d" 1
    cat <<EOF
  server {
    listen 127.0.0.1:$2 reuseport backlog=4096;
    location = /v1/chat/completions {
      default_type application/json;
      return 200 '$(bench_nginx_quote "$BENCH_FIXTURES/chat-completion.json")';
    }
    location = /v1/messages {
      default_type application/json;
      return 200 '$(bench_nginx_quote "$BENCH_FIXTURES/anthropic-message.json")';
    }
    location / { return 404; }
  }
  server {
    listen 127.0.0.1:$3 reuseport backlog=4096;
    location = /v1/chat/completions {
      default_type text/event-stream;
$openai_stream
    }
    location = /v1/messages {
      default_type text/event-stream;
$(bench_echo_events "$BENCH_FIXTURES/anthropic-message-stream.sse")
    }
    location / { return 404; }
  }
}
EOF
  } >"$d/nginx.conf"
}

# bench_proxy_conf DIR JSON_PORT STREAM_PORT MOCK_JSON_PORT MOCK_STREAM_PORT
# nginx as the reference proxy: one worker, a keepalive pool upstream.
bench_proxy_conf () {
  local d=$1

  mkdir -p "$d/tmp"
  {
    bench_nginx_common "$d" 1
    cat <<EOF
  upstream mock_json { server 127.0.0.1:$4; keepalive 128; keepalive_requests 100000000; keepalive_timeout 300s; }
  upstream mock_stream { server 127.0.0.1:$5; keepalive 128; keepalive_requests 100000000; keepalive_timeout 300s; }
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  server {
    listen 127.0.0.1:$2 backlog=4096;
    location / { proxy_pass http://mock_json; }
  }
  server {
    listen 127.0.0.1:$3 backlog=4096;
    location / { proxy_pass http://mock_stream; proxy_buffering off; }
  }
}
EOF
  } >"$d/nginx.conf"
}

# bench_start_nginx DIR: starts nginx on DIR/nginx.conf and waits for its
# workers; sets NGINX_PID (the master).
bench_start_nginx () {
  local d=$1 i=0

  "$NGINX" -p "$d" -e "$d/error.log" -c "$d/nginx.conf" >"$d/stdout.log" 2>&1 &
  NGINX_PID=$!
  BENCH_PIDS+=("$NGINX_PID")
  until [ -n "$(ps -o pid= --ppid "$NGINX_PID" 2>/dev/null)" ]; do
    i=$((i + 1))
    kill -0 "$NGINX_PID" 2>/dev/null || { cat "$d/error.log" "$d/stdout.log" >&2 2>/dev/null; bench_die "nginx ($d) exited"; }
    [ $i -le 100 ] || bench_die "nginx ($d) did not start"
    sleep 0.05
  done
}

# The PID and its direct children (an nginx master and its workers).
bench_pid_tree () {
  local p

  for p in "$@"; do
    echo "$p"
    ps -o pid= --ppid "$p" 2>/dev/null
  done | tr -s ' \n' '\n' | grep -v '^$'
}

# Sum of utime+stime, in clock ticks, of the given PIDs (all threads).
bench_cpu_ticks () {
  local p total=0 t

  for p in "$@"; do
    # Fields after the ")" that closes comm: utime and stime are 12 and 13.
    t=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 }')
    total=$((total + ${t:-0}))
  done
  echo "$total"
}

# Sum of VmRSS, in KiB, of the given PIDs.
bench_rss_kib () {
  local p total=0 r

  for p in "$@"; do
    r=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
    total=$((total + ${r:-0}))
  done
  echo "$total"
}

# bench_gateway_conf FILE PORT DB MOCK_JSON_PORT MOCK_STREAM_PORT
bench_gateway_conf () {
  cat >"$1" <<EOF
[gateway]
listen=127.0.0.1:$2
database=$3
shutdown_grace_seconds=2

# OpenAI-kind upstream answering JSON; clients use the alias bench-fast.
[provider:bench]
kind=openai
base_url=http://127.0.0.1:$4/v1
api_key=sk-bench-json-0123456789abcdef

# OpenAI-kind upstream that always streams.
[provider:benchstream]
kind=openai
base_url=http://127.0.0.1:$5/v1
api_key=sk-bench-stream-0123456789abcdef

# Anthropic-kind upstreams (translation in both directions).
[provider:benchant]
kind=anthropic
base_url=http://127.0.0.1:$4
api_key=sk-ant-bench-json-0123456789abcdef

[provider:benchantstream]
kind=anthropic
base_url=http://127.0.0.1:$5
api_key=sk-ant-bench-stream-0123456789abcdef

[model:bench/gpt-4o-mini]
input_per_mtok=150000
output_per_mtok=600000

[model:benchstream/gpt-4o-mini]
input_per_mtok=150000
output_per_mtok=600000

[model:benchant/claude-haiku-4-5]
input_per_mtok=1000000
output_per_mtok=5000000
max_output_tokens=64000

[model:benchantstream/claude-haiku-4-5]
input_per_mtok=1000000
output_per_mtok=5000000
max_output_tokens=64000

[alias:bench-fast]
targets=bench/gpt-4o-mini
EOF
}

# bench_start_gateway GAIAROUTERD DIR PORT MOCK_JSON_PORT MOCK_STREAM_PORT [THREADS]
# Starts gaiarouterd with a temporary config and database; sets GW_PID and
# GW_KEY (the admin key written beside the database).
bench_start_gateway () {
  local bin=$1 d=$2 port=$3 i=0
  local args=(--config "$d/gaiarouter.ini")

  mkdir -p "$d"
  bench_gateway_conf "$d/gaiarouter.ini" "$port" "$d/gaiarouter.db" "$4" "$5"
  [ -n "${6:-}" ] && args+=(--threads "$6")
  "$bin" "${args[@]}" >"$d/daemon.log" 2>&1 &
  GW_PID=$!
  BENCH_PIDS+=("$GW_PID")
  until grep -q "listening on" "$d/daemon.log" 2>/dev/null && [ -s "$d/admin.key" ]; do
    i=$((i + 1))
    kill -0 "$GW_PID" 2>/dev/null || { cat "$d/daemon.log" >&2; bench_die "gaiarouterd exited"; }
    [ $i -le 200 ] || bench_die "gaiarouterd did not start"
    sleep 0.05
  done
  GW_KEY=$(head -n 1 "$d/admin.key")
}

# bench_body FILE MODEL: a request fixture with its model filled in.
bench_body () {
  sed "s|\"MODEL\"|\"$2\"|" "$1"
}

# bench_check URL BODYFILE [KEY]: one request must answer 200.
bench_check () {
  local code

  code=$(curl -s -o "$BENCH_TMP/check.out" -w '%{http_code}' -X POST \
         -H 'Content-Type: application/json' ${3:+-H "Authorization: Bearer $3"} \
         --data-binary "@$2" "$1") || true
  if [ "$code" != 200 ]; then
    head -c 600 "$BENCH_TMP/check.out" >&2
    bench_die "$1 answered $code"
  fi
}
