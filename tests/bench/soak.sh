#!/usr/bin/env bash
# soak.sh — gaiarouterd under a minute of mixed load, faults and admin changes
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: tests/bench/soak.sh [GAIAROUTERD [MOCK_SERVER]]
#        (defaults: build/gateway/gaiarouterd, build/tests/mock-upstream-server)
# Environment: SOAK_SECONDS (60), SOAK_CLIENTS (200), SOAK_THREADS (gateway
# event loops, default 2), KEEP_TMP=1 keeps the work directory.
#
# Runs on demand only (`meson test -C build --benchmark --suite soak` or
# this script), never in the normal test run.  Everything listens on
# 127.0.0.1.  The mock upstream (tests/mock-upstream.c) and the gateway
# are started here and stopped here by PID.  soak-client.py drives
# SOAK_CLIENTS concurrent keep-alive clients for SOAK_SECONDS (streamed
# and whole answers, ~10 % upstream faults) plus an admin task that
# creates, uses, rotates, disables and deletes keys and changes a
# provider.  Then the gateway gets SIGTERM, and the report says: requests
# served, outcomes by kind, usage events in the SQLite file against
# requests made (they must be equal), the file's integrity, RSS at start
# and end, and the gateway's exit status.  Exits non-zero when a check
# fails.

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
daemon=${1:-$root/build/gateway/gaiarouterd}
mock_bin=${2:-$root/build/tests/mock-upstream-server}
seconds=${SOAK_SECONDS:-60}
clients=${SOAK_CLIENTS:-200}
threads=${SOAK_THREADS:-2}

# shellcheck source=bench-lib.sh
. "$here/bench-lib.sh"

[ -x "$daemon" ] || bench_die "no gaiarouterd at $daemon (build first)"
[ -x "$mock_bin" ] || bench_die "no mock-upstream-server at $mock_bin (build first)"
command -v python3 >/dev/null || bench_die "python3 is needed"
command -v curl >/dev/null || bench_die "curl is needed"

bench_make_tmp
trap bench_cleanup EXIT
ulimit -n 65536 2>/dev/null || ulimit -n 4096 2>/dev/null || true

rss_kib () { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# The mock upstream prints its port first.
"$mock_bin" --port 0 --fixtures "$root/tests/fixtures/wire" > "$BENCH_TMP/mock.out" &
mock_pid=$!
BENCH_PIDS+=("$mock_pid")
for _ in $(seq 100); do
  [ -s "$BENCH_TMP/mock.out" ] && break
  sleep 0.05
done
mock_port=$(head -n1 "$BENCH_TMP/mock.out")
[ -n "$mock_port" ] || bench_die "the mock upstream did not start"

read -r gw_port < <(bench_free_ports 1)
cat > "$BENCH_TMP/gaiarouter.conf" <<EOF
[gateway]
listen=127.0.0.1:$gw_port
database=$BENCH_TMP/gaiarouter.db
threads=$threads
shutdown_grace_seconds=10

[provider:mock]
kind=openai-compatible
base_url=http://127.0.0.1:$mock_port/v1
connect_timeout_seconds=1
first_byte_timeout_seconds=2
EOF

GR_MODELS_JSON=$root/data/models.json "$daemon" --config "$BENCH_TMP/gaiarouter.conf" \
  > "$BENCH_TMP/gaiarouterd.out" 2> "$BENCH_TMP/gaiarouterd.err" &
gw_pid=$!
BENCH_PIDS+=("$gw_pid")
for _ in $(seq 200); do
  [ -s "$BENCH_TMP/admin.key" ] && break
  sleep 0.05
done
sleep 0.2
admin_key=$(tr -d '[:space:]' < "$BENCH_TMP/admin.key")
gw=http://127.0.0.1:$gw_port
api () { curl -sS --fail-with-body -H "Authorization: Bearer $admin_key" "$@"; }

# An organization with a load key, and a provider made through the API
# (the one the admin task changes).
org_id=$(api "$gw/v1/organizations" -d '{"name":"soak"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
load_key=$(api "$gw/v1/api-keys" -d "{\"name\":\"soak-load\",\"org_id\":\"$org_id\",\"permissions\":[\"chat\"]}" |
           python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
api "$gw/v1/providers" -d "{\"name\":\"soakp\",\"kind\":\"openai-compatible\",\"base_url\":\"http://127.0.0.1:$mock_port/v1\"}" > /dev/null

rss_start=$(rss_kib "$gw_pid")
bench_log "soak: $clients clients for $seconds s against gaiarouterd (pid $gw_pid, $threads loops), RSS ${rss_start} KiB"
# RSS every 10 s, to tell growth to a plateau from a leak.
( while sleep 10; do rss_kib "$gw_pid" || break; done > "$BENCH_TMP/rss.txt" 2>/dev/null ) &
sampler_pid=$!
BENCH_PIDS+=("$sampler_pid")
python3 "$here/soak-client.py" "$gw" "$load_key" "$admin_key" "$org_id" "$seconds" "$clients" > "$BENCH_TMP/client.json"
rss_end=$(rss_kib "$gw_pid")
kill "$sampler_pid" 2>/dev/null || true
wait "$sampler_pid" 2>/dev/null || true

kill -TERM "$gw_pid"
gw_status=0
wait "$gw_pid" || gw_status=$?
BENCH_PIDS=("$mock_pid")
rss_series=$(tr '\n' ' ' < "$BENCH_TMP/rss.txt")

python3 - "$BENCH_TMP/client.json" "$BENCH_TMP/gaiarouter.db" "$rss_start" "$rss_end" "$gw_status" \
          "$BENCH_TMP/gaiarouterd.err" "$rss_series" <<'PY'
import json, sqlite3, sys

client = json.load(open(sys.argv[1]))
db = sqlite3.connect(sys.argv[2])
usage = db.execute("SELECT count(*) FROM usage_events").fetchone()[0]
by_status = dict(db.execute("SELECT status, count(*) FROM usage_events GROUP BY status ORDER BY 2 DESC").fetchall())
integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
rss_start, rss_end, status = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
warnings = sum(1 for line in open(sys.argv[6], errors="replace") if "warning" in line or "critical" in line)

report = dict(client)
report.update({
    "usage_events_recorded": usage,
    "usage_events_by_status": by_status,
    "usage_equals_requests": usage == client["chat_requests_sent"],
    "integrity_check": integrity,
    "rss_kib": {"start": rss_start, "every_10_s": [int(x) for x in sys.argv[7].split()], "end": rss_end},
    "gaiarouterd_exit_status": status,
    "gaiarouterd_warnings": warnings,
})
print(json.dumps(report, indent=2))
ok = (usage == client["chat_requests_sent"] == client["chat_answers"]
      and integrity == "ok" and status == 0)
print("soak: " + ("PASS" if ok else "FAIL"))
sys.exit(0 if ok else 1)
PY
