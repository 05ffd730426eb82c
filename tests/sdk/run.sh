#!/bin/sh
# run.sh — the official SDKs against a real gaiarouterd and the mock upstream
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: run.sh GAIAROUTERD MOCK_UPSTREAM_SERVER
#
# Starts the mock upstream and gaiarouterd (temporary config, database and
# ports), runs sdk-test.mjs with node, stops the daemon with SIGTERM and
# checks in usage_events that every SDK request was accounted once, with a
# cost, exactly as the SDK script counted them.  Exits non-zero on any
# failure.  Needs node, npm and sqlite3 (scripts/bootstrap installs them).

set -eu

if [ $# -ne 2 ]; then
  echo "usage: $0 GAIAROUTERD MOCK_UPSTREAM_SERVER" >&2
  exit 2
fi
gaiarouterd=$1
mock_server=$2
here=$(cd "$(dirname "$0")" && pwd)

for tool in node npm sqlite3; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "run.sh: $tool is required (scripts/bootstrap installs it)" >&2
    exit 1
  fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gr-sdk-XXXXXX")
mock_pid=
daemon_pid=

cleanup () {
  if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null || true; wait "$daemon_pid" 2>/dev/null || true; fi
  if [ -n "$mock_pid" ]; then kill "$mock_pid" 2>/dev/null || true; wait "$mock_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail () {
  echo "run.sh: $*" >&2
  for log in "$tmp"/*.log; do
    [ -f "$log" ] && { echo "--- $log" >&2; tail -n 40 "$log" >&2; }
  done
  exit 1
}

if [ ! -d "$here/node_modules" ]; then
  echo "run.sh: installing the SDKs (npm ci)"
  (cd "$here" && npm ci --no-audit --no-fund) || fail "npm ci failed"
fi

# The mock upstream picks a free port and prints it.
"$mock_server" --port 0 --require-attribution >"$tmp/mock.port" 2>"$tmp/mock.log" &
mock_pid=$!
i=0
while [ ! -s "$tmp/mock.port" ]; do
  i=$((i + 1))
  [ $i -le 100 ] || fail "the mock upstream did not start"
  kill -0 "$mock_pid" 2>/dev/null || fail "the mock upstream exited"
  sleep 0.1
done
mock_url="http://127.0.0.1:$(head -n 1 "$tmp/mock.port")"

# A free port for the gateway (gaiarouterd does not report an ephemeral one).
port=$(node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
url="http://127.0.0.1:$port"
db="$tmp/gaiarouter.db"

cat >"$tmp/gaiarouter.ini" <<INI
[gateway]
listen=127.0.0.1:$port
database=$db
shutdown_grace_seconds=5

[provider:openai]
kind=openai
base_url=$mock_url/v1
api_key=sk-openai-SDK-SECRET

[provider:local]
kind=openai-compatible
base_url=$mock_url/v1
api_key=sk-local-SDK-SECRET

[provider:anthropic]
kind=anthropic
base_url=$mock_url
api_key=sk-ant-SDK-SECRET

[provider:google]
kind=gemini
base_url=$mock_url
api_key=gemini-SDK-SECRET

[provider:openrouter]
kind=openrouter
base_url=$mock_url/api/v1
api_key=sk-or-SDK-SECRET
http_referer=https://gaiarouter.example/sdk
x_title=GaiaRouter SDK tests

[provider:ollama]
enabled=false

[model:openai/tool]
input_per_mtok=2500000
output_per_mtok=10000000

[model:local/tool]
input_per_mtok=150000
output_per_mtok=600000

[model:anthropic/claude-tool]
input_per_mtok=3000000
output_per_mtok=15000000

[model:google/gemini-tool]
input_per_mtok=300000
output_per_mtok=2500000

[model:openrouter/anthropic/claude-tool]
input_per_mtok=3000000
output_per_mtok=15000000
INI

"$gaiarouterd" --config "$tmp/gaiarouter.ini" >"$tmp/daemon.log" 2>&1 &
daemon_pid=$!
i=0
until grep -q "listening on" "$tmp/daemon.log" 2>/dev/null && [ -s "$tmp/admin.key" ]; do
  i=$((i + 1))
  [ $i -le 100 ] || fail "gaiarouterd did not start"
  kill -0 "$daemon_pid" 2>/dev/null || fail "gaiarouterd exited"
  sleep 0.1
done
key=$(head -n 1 "$tmp/admin.key")

status=0
GAIAROUTER_URL=$url GAIAROUTER_KEY=$key node "$here/sdk-test.mjs" >"$tmp/node.out" 2>&1 || status=$?
cat "$tmp/node.out"
[ $status -eq 0 ] || fail "sdk-test.mjs failed ($status)"

# No provider credential may reach an SDK (they print what they got).
if grep -q 'SDK-SECRET' "$tmp/node.out"; then
  fail "a provider credential reached a client"
fi

# SIGTERM: the daemon finishes in-flight requests and flushes usage.
kill -TERM "$daemon_pid"
wait "$daemon_pid" || fail "gaiarouterd exited with $? after SIGTERM"
daemon_pid=

sql () {
  sqlite3 -batch -noheader "$db" "$1"
}

expected=$(sed -n 's/^SDK_REQUESTS //p' "$tmp/node.out")
[ -n "$expected" ] || fail "sdk-test.mjs did not report its request count"
rows=$(sql "SELECT count(*) FROM usage_events;")
echo "usage_events: $rows rows for $expected SDK requests"
[ "$rows" -eq "$expected" ] || fail "usage_events has $rows rows, expected $expected"

# One row per request for each model, each a success with tokens and a cost.
sed -n 's/^SDK_MODEL //p' "$tmp/node.out" >"$tmp/models.txt"
while read -r model n; do
  got=$(sql "SELECT count(*) FROM usage_events WHERE model = '$model';")
  [ "$got" -eq "$n" ] || fail "$model: $got usage rows, expected $n"
  [ "$model" = "nosuch/model" ] && continue
  bad=$(sql "SELECT count(*) FROM usage_events WHERE model = '$model' AND (status != 200 OR cost_micros <= 0 OR prompt_tokens <= 0 OR completion_tokens <= 0);")
  [ "$bad" -eq 0 ] || { sql "SELECT model, endpoint, status, prompt_tokens, completion_tokens, cost_micros, stream FROM usage_events WHERE model = '$model';" >&2; fail "$model: $bad rows without status 200, tokens and a cost"; }
  echo "ok - $model: $n rows, cost $(sql "SELECT sum(cost_micros) FROM usage_events WHERE model = '$model';") µUSD"
done <"$tmp/models.txt"
bad=$(sql "SELECT count(*) FROM usage_events WHERE model = 'nosuch/model' AND status != 404;")
[ "$bad" -eq 0 ] || fail "unknown models were not accounted as 404"

echo "sdk: all checks passed"
