#!/usr/bin/env bash
# tests/avahi-env.sh — a private system D-Bus and avahi-daemon for the LAN
# discovery tests (tests/test-discovery.c, tests/test-app-discovery.c).
#
#   eval "$(tests/avahi-env.sh start DIR)"   starts both, prints the exports
#   tests/avahi-env.sh stop DIR              stops what start started
#   tests/avahi-env.sh restart-avahi DIR     stops and starts avahi-daemon
#                                            (the tests of a daemon restart)
#   tests/avahi-env.sh run CMD [ARG…]        runs CMD with both, started for
#                                            it unless GR_AVAHI_ENV_DIR says
#                                            they already run (scripts/test)
#
# `start` prints shell assignments: DBUS_SYSTEM_BUS_ADDRESS (the private
# bus), GR_AVAHI_ENV_DIR and GR_AVAHI_TEST=1 — or GR_AVAHI_TEST_SKIP="why"
# when the daemons cannot run here, which the tests give as their skip
# reason.  It never touches the machine's own bus: CI containers have
# neither systemd nor a system bus, so everything lives under DIR.
#
# What works in a Debian 12 container, run as root (measured; see
# docs/deployment.md, "LAN discovery"):
# * dbus-daemon with a config of our own (type system, a unix socket under
#   DIR, a policy open to everyone) — the Debian system.d policy files are
#   not needed.
# * avahi-daemon --no-drop-root --no-chroot --no-rlimits -f OUR.conf with
#   enable-dbus=yes and no allow-interfaces: it takes eth0 (IPv4 and IPv6)
#   and lo, and a browser on the same host sees our own announcements over
#   each of them.  --no-rlimits: containers may refuse RLIMIT changes;
#   --no-drop-root/--no-chroot: no avahi user chroot is set up.
# * avahi-daemon keeps its pid file in /run/avahi-daemon (compiled in), so
#   one runs per machine: a machine whose own avahi-daemon runs skips.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:-}

usage () {
  echo "usage: $0 start|stop|restart-avahi DIR | run CMD [ARG…]" >&2
  exit 2
}

skip () {
  printf "GR_AVAHI_TEST_SKIP=%q\nexport GR_AVAHI_TEST_SKIP\n" "$1"
  exit 0
}

kill_pidfile () {
  local f=$1 pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
  rm -f "$f"
}

stop_all () {
  kill_pidfile "$dir/avahi.pid"
  kill_pidfile "$dir/dbus.pid"
}

start_bus () {
  # A system-type bus on a socket of ours, open to everyone: it only
  # serves the tests.
  cat >"$dir/system-bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$dir/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
EOF
  dbus-daemon --config-file="$dir/system-bus.conf" --fork --nosyslog \
    --print-pid=3 3>"$dir/dbus.pid" >"$dir/dbus.log" 2>&1
}

# Starts avahi-daemon on the bus and waits until its server runs; prints
# why not and returns 1 otherwise.
start_avahi () {
  local state
  # No hinfo/workstation records (less noise), no wide-area, no static
  # services from /etc/avahi/services.
  cat >"$dir/avahi-daemon.conf" <<EOF
[server]
use-ipv4=yes
use-ipv6=yes
enable-dbus=yes
ratelimit-interval-usec=1000000
ratelimit-burst=1000
[wide-area]
enable-wide-area=no
[publish]
publish-hinfo=no
publish-workstation=no
[reflector]
[rlimits]
EOF
  DBUS_SYSTEM_BUS_ADDRESS=$address setsid avahi-daemon --no-drop-root --no-chroot \
    --no-rlimits --no-proc-title -f "$dir/avahi-daemon.conf" \
    </dev/null >>"$dir/avahi.log" 2>&1 &
  echo $! >"$dir/avahi.pid"
  # Ready once its server state is 2 (AVAHI_SERVER_RUNNING: the host name
  # is established on the network).
  for _ in $(seq 150); do
    if ! kill -0 "$(cat "$dir/avahi.pid")" 2>/dev/null; then
      echo "avahi-daemon exited: $(tail -n 3 "$dir/avahi.log" | tr '\n' ' ')"
      return 1
    fi
    state=$(DBUS_SYSTEM_BUS_ADDRESS=$address dbus-send --system --print-reply=literal \
              --dest=org.freedesktop.Avahi / org.freedesktop.Avahi.Server.GetState 2>/dev/null || true)
    if [ "$(echo "$state" | awk '{ print $2 }')" = 2 ]; then
      return 0
    fi
    sleep 0.1
  done
  echo "avahi-daemon did not reach the running state in 15 s: $(tail -n 3 "$dir/avahi.log" | tr '\n' ' ')"
  return 1
}

start () {
  local why
  command -v dbus-daemon >/dev/null || skip "dbus-daemon is not installed (scripts/bootstrap --test)"
  command -v avahi-daemon >/dev/null || skip "avahi-daemon is not installed (scripts/bootstrap --test)"
  [ "$(id -u)" -eq 0 ] || skip "a private avahi-daemon needs root (mDNS port 5353, /run/avahi-daemon)"
  if avahi-daemon --check 2>/dev/null; then
    skip "this machine's own avahi-daemon runs, and only one can (/run/avahi-daemon/pid)"
  fi
  stop_all
  start_bus || skip "dbus-daemon did not start: $(tail -n 3 "$dir/dbus.log" | tr '\n' ' ')"
  if ! why=$(start_avahi); then
    stop_all
    skip "$why"
  fi
  printf "DBUS_SYSTEM_BUS_ADDRESS=%q\nexport DBUS_SYSTEM_BUS_ADDRESS\n" "$address"
  printf "GR_AVAHI_ENV_DIR=%q\nexport GR_AVAHI_ENV_DIR\n" "$dir"
  printf "GR_AVAHI_TEST=1\nexport GR_AVAHI_TEST\n"
}

case "$cmd" in
  start|stop|restart-avahi)
    [ -n "${2:-}" ] || usage
    mkdir -p "$2"
    dir=$(cd "$2" && pwd)
    address="unix:path=$dir/system_bus_socket"
    case "$cmd" in
      start) start ;;
      stop) stop_all ;;
      restart-avahi)
        kill_pidfile "$dir/avahi.pid"
        start_avahi >&2
        ;;
    esac
    ;;
  run)
    shift
    [ $# -gt 0 ] || usage
    if [ -n "${GR_AVAHI_ENV_DIR:-}" ] && [ -S "$GR_AVAHI_ENV_DIR/system_bus_socket" ]; then
      exec "$@"
    fi
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/gr-avahi-XXXXXX")
    eval "$("$here/avahi-env.sh" start "$tmp")"
    status=0
    "$@" || status=$?
    "$here/avahi-env.sh" stop "$tmp"
    rm -rf "$tmp"
    exit "$status"
    ;;
  *) usage ;;
esac
