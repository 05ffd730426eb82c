#!/bin/sh
# run-fuzz.sh — one bounded libFuzzer run, as a meson test
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: run-fuzz.sh FUZZER SEED-CORPUS WORK-DIR DICTIONARY MAX-LEN CI-RUNS
#
# Fuzzes for $GR_FUZZ_SECONDS seconds (default $GR_FUZZ_DEFAULT_SECONDS,
# from the fuzz_seconds meson option): a campaign, different on every run.
#
# With GR_FUZZ_RUNS=N instead (or =ci for the target's own CI-RUNS, from
# tests/fuzz/meson.build), a run bounded by work (what CI does): N inputs
# from the seed corpus alone, with the fixed mutation seed GR_FUZZ_SEED
# (default 1): the same amount of work from the same start on any machine,
# however fast (close to, not exactly, the same inputs: coverage feedback
# reacts to the random ids and clock values in the outputs).  New inputs go to WORK-DIR/corpus,
# never into the source tree; a crash, leak, timeout or UB report leaves its
# input in WORK-DIR (crash-…, leak-…, timeout-…) and fails the test.  To
# keep a reproducer, copy it into the seed corpus: the replay tests then
# run it in every build.

set -eu

if [ $# -ne 6 ]; then
  echo "usage: $0 FUZZER SEED-CORPUS WORK-DIR DICTIONARY MAX-LEN CI-RUNS" >&2
  exit 2
fi
fuzzer=$1
seeds=$2
work=$3
dict=$4
max_len=$5
ci_runs=$6
seconds=${GR_FUZZ_SECONDS:-${GR_FUZZ_DEFAULT_SECONDS:-60}}
runs=${GR_FUZZ_RUNS:-}
[ "$runs" != ci ] || runs=$ci_runs

if [ -n "$runs" ]; then
  # What earlier runs added would change where this one goes.
  rm -rf "$work/corpus"
  bound="-runs=$runs -seed=${GR_FUZZ_SEED:-1}"
else
  bound="-max_total_time=$seconds"
fi
mkdir -p "$work/corpus"
rm -f "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* 2>/dev/null || true

# -error_exitcode: libFuzzer's default, 77, means "skipped" to meson.
# -timeout: one input taking 10 s is a hang (a loop the input controls).
# -rss_limit_mb: two fuzzers share a CI machine.
status=0
# shellcheck disable=SC2086  # $bound is two options or one
"$fuzzer" \
  $bound \
  -max_len="$max_len" \
  -timeout=10 \
  -error_exitcode=1 \
  -timeout_exitcode=1 \
  -rss_limit_mb=1536 \
  -dict="$dict" \
  -artifact_prefix="$work/" \
  -print_final_stats=1 \
  "$work/corpus" "$seeds" || status=$?

for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
  [ -e "$f" ] || continue
  echo "run-fuzz.sh: failing input kept at $f (base64 below)" >&2
  base64 "$f" >&2
  status=${status:-1}
  [ "$status" -ne 0 ] || status=1
done
exit "$status"
