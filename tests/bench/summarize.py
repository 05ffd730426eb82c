#!/usr/bin/env python3
# summarize.py — medians, ratios and goals from run.sh results
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: summarize.py RESULTS.tsv [MORE.tsv …]
# Pools every pass of every file, reports the median per target, mode and
# connection count, the ratios to nginx and the goals.

import csv
import statistics
import sys
from collections import defaultdict

FIELDS = ("rps", "p50_us", "p99_us", "cpu_us", "rss_kib", "errors")
TARGET_ORDER = ("direct", "nginx", "bare", "bareproxy", "gateway", "translate")


def load(paths):
    rows = defaultdict(lambda: defaultdict(list))
    for path in paths:
        with open(path, newline="") as f:
            for r in csv.DictReader(f, delimiter="\t"):
                k = (r["target"], r["mode"], int(r["conns"]))
                for field in FIELDS:
                    rows[k][field].append(float(r[field]))
    return {k: {f: statistics.median(v[f]) for f in FIELDS} | {"n": len(v["rps"])}
            for k, v in rows.items()}


def fmt_ratio(a, b):
    return f"{a / b:.2f}" if a is not None and b else "–"


def main():
    m = load(sys.argv[1:])
    modes = sorted({k[1] for k in m}, key=lambda s: (s != "json", s))
    conns = sorted({k[2] for k in m})
    targets = [t for t in TARGET_ORDER if any(k[0] == t for k in m)]

    print("| mode | conns | target | req/s | p50 µs | p99 µs | +p50 vs direct µs "
          "| CPU µs/req | RSS MiB | req/s ÷ nginx | CPU ÷ nginx | errors |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for mode in modes:
        for c in conns:
            direct = m.get(("direct", mode, c))
            nginx = m.get(("nginx", mode, c))
            for t in targets:
                r = m.get((t, mode, c))
                if r is None:
                    continue
                added = f"{r['p50_us'] - direct['p50_us']:+.0f}" if direct and t != "direct" else "–"
                print(f"| {mode} | {c} | {t} | {r['rps']:.0f} | {r['p50_us']:.0f} | {r['p99_us']:.0f} "
                      f"| {added} | {r['cpu_us']:.1f} | {r['rss_kib'] / 1024:.1f} "
                      f"| {fmt_ratio(r['rps'], nginx and nginx['rps']) if t != 'nginx' else '1'} "
                      f"| {fmt_ratio(r['cpu_us'], nginx and nginx['cpu_us']) if t != 'nginx' else '1'} "
                      f"| {r['errors']:.0f} |")
    print()

    # The goals of the issue, per mode: gateway is OpenAI→OpenAI,
    # translate is OpenAI→Anthropic→OpenAI.
    print("| goal | mode | measured | met |")
    print("|---|---|---|---|")

    def goal(name, mode, text, ok):
        print(f"| {name} | {mode} | {text} | {'yes' if ok else 'NO'} |")

    for mode in modes:
        for t in ("gateway", "translate"):
            for c in (16, 64):
                r, n = m.get((t, mode, c)), m.get(("nginx", mode, c))
                if r and n:
                    q = r["rps"] / n["rps"]
                    goal(f"{t} req/s ≥ 0.5× nginx at {c} conns", mode, f"{q:.2f}×", q >= 0.5)
        for t in ("gateway", "translate"):
            r, d = m.get((t, mode, 1)), m.get(("direct", mode, 1))
            if r and d:
                a = r["p50_us"] - d["p50_us"]
                goal(f"{t} added p50 ≤ 100 µs (1 conn)", mode, f"{a:+.0f} µs", a <= 100)
        for t, limit in (("gateway", 2), ("translate", 4)):
            for c in conns:
                r, n = m.get((t, mode, c)), m.get(("nginx", mode, c))
                if r and n and n["cpu_us"] > 0:
                    q = r["cpu_us"] / n["cpu_us"]
                    goal(f"{t} CPU/req ≤ {limit}× nginx at {c} conns", mode, f"{q:.2f}×", q <= limit)
        for t in ("gateway", "translate"):
            r = m.get((t, mode, 64))
            if r:
                mib = r["rss_kib"] / 1024
                goal(f"{t} RSS ≤ 32 MiB under 64 conns", mode, f"{mib:.1f} MiB", mib <= 32)
    print()
    print(f"(medians of {max(r['n'] for r in m.values())} passes; ratios of medians)")


if __name__ == "__main__":
    main()
