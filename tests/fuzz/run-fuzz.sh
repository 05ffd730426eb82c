#!/bin/sh
# run-fuzz.sh — one bounded libFuzzer run, as a meson test
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: run-fuzz.sh FUZZER SEED-CORPUS WORK-DIR DICTIONARY MAX-LEN CI-RUNS
#
# Fuzzes for $GR_FUZZ_SECONDS seconds (default $GR_FUZZ_DEFAULT_SECONDS,
# from the fuzz_seconds meson option): a campaign, different on every run,
# whose new inputs stay in WORK-DIR/corpus for the next one.
#
# With GR_FUZZ_RUNS=N instead (or =ci for the target's own CI-RUNS, from
# tests/fuzz/meson.build), a run bounded by work (what CI does): N inputs
# from the seed corpus alone, with the fixed mutation seed GR_FUZZ_SEED
# (default 1).  Such a run is reproducible: the same code fuzzes the same
# inputs on any machine, from any directory, however loaded (see
# bounded_run below).  Its new inputs go to WORK-DIR/corpus.
#
# Either way nothing is written into the source tree; a crash, leak,
# timeout or UB report leaves its input in WORK-DIR (crash-…, leak-…,
# timeout-…), printed in base64, and fails the test.  To keep a
# reproducer, copy it into the seed corpus: the replay tests then run it
# in every build.

set -eu

if [ $# -ne 6 ]; then
  echo "usage: $0 FUZZER SEED-CORPUS WORK-DIR DICTIONARY MAX-LEN CI-RUNS" >&2
  exit 2
fi
fuzzer=$1
seeds=$(cd "$2" && pwd)
work=$3
dict=$4
max_len=$5
ci_runs=$6
seconds=${GR_FUZZ_SECONDS:-${GR_FUZZ_DEFAULT_SECONDS:-60}}
runs=${GR_FUZZ_RUNS:-}
[ "$runs" != ci ] || runs=$ci_runs
here=$(cd "$(dirname "$0")" && pwd)

mkdir -p "$work"
rm -f "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* 2>/dev/null || true

# -error_exitcode: libFuzzer's default, 77, means "skipped" to meson.
# -timeout: one input taking 10 s is a hang (a loop the input controls).
# -rss_limit_mb: two fuzzers share a CI machine.
common="-max_len=$max_len -timeout=10 -error_exitcode=1 -timeout_exitcode=1 -rss_limit_mb=1536 -print_final_stats=1"
# The fuzzer's environment, for both kinds of run: LSan finds leaks at the
# end of each input, UBSan stops at the first report.  G_SLICE: GLib's
# slice allocator would hide allocations from ASan.
runtime_env="G_DEBUG=gc-friendly G_SLICE=always-malloc GSETTINGS_BACKEND=memory
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1"

# What makes a bounded run go the same way every time:
# * libFuzzer's own randomness is the seed; -reload=0 stops it rereading
#   the corpus once a second (a clock);
# * the targets reseed g_random for every input (gr_fuzz_init), and the
#   fuzz build has no stack-depth coverage (tests/fuzz/meson.build);
# * the mutator's comparison feedback (-use_cmp: the operands of the
#   code's comparisons, memcmp and strcmp) sees values that differ from
#   run to run even with everything below fixed (heap addresses, it
#   seems; the campaigns keep it): -use_cmp=0, the dictionaries give the
#   tokens;
# * what the process allocates first moves with ASLR, its arguments,
#   environment and paths: the fuzzer runs with ASLR off (setarch -R),
#   from a fresh directory whose name always has the same length, as
#   ./fuzzer with relative paths and a fixed environment, and without the
#   debug information that names the directories it was built in.
bounded_run () {
  dir=$(mktemp -d /tmp/gr-fuzz.XXXXXXXX)
  # Also when meson's timeout stops the test.
  trap 'rm -rf "$dir"' EXIT
  trap 'exit 143' TERM
  trap 'exit 130' INT
  # Stacks keep function names; replay a finding with the built program
  # for file and line.
  objcopy --strip-debug "$fuzzer" "$dir/fuzzer"
  cp "$dict" "$dir/dict"
  cp "$here/lsan.supp" "$dir/lsan.supp"
  ln -s "$seeds" "$dir/seeds"
  mkdir "$dir/corpus"
  no_aslr="setarch $(uname -m) -R"
  $no_aslr true 2>/dev/null || no_aslr=   # a container may forbid it
  status=0
  # shellcheck disable=SC2086  # these variables are several words each
  (cd "$dir" && env -i PATH=/usr/local/bin:/usr/bin:/bin $runtime_env \
      LSAN_OPTIONS=suppressions=lsan.supp \
      $no_aslr ./fuzzer -runs="$runs" -seed="${GR_FUZZ_SEED:-1}" -reload=0 -use_cmp=0 $common \
      -dict=dict -artifact_prefix=./ corpus seeds) || status=$?
  rm -rf "$work/corpus"
  mv "$dir/corpus" "$work/corpus"
  for f in "$dir"/crash-* "$dir"/leak-* "$dir"/timeout-* "$dir"/oom-*; do
    [ -e "$f" ] && mv "$f" "$work/"
  done
  return "$status"   # the EXIT trap removes $dir
}

status=0
if [ -n "$runs" ]; then
  bounded_run || status=$?
else
  mkdir -p "$work/corpus"
  # shellcheck disable=SC2086  # these variables are several words each
  env $runtime_env LSAN_OPTIONS=suppressions="$here/lsan.supp" \
    "$fuzzer" -max_total_time="$seconds" $common -dict="$dict" \
    -artifact_prefix="$work/" "$work/corpus" "$seeds" || status=$?
fi

for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
  [ -e "$f" ] || continue
  echo "run-fuzz.sh: failing input kept at $f (base64 below)" >&2
  base64 "$f" >&2
  [ "$status" -ne 0 ] || status=1
done
exit "$status"
