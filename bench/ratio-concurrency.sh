#!/usr/bin/env bash
# Adaptive pages in flight against one page at a time (issue 18): Get-QTicketsOrder reading every order of a healthy
# sandbox whose every request waits a random LATENCY_MS (100-400 ms: the real API's 2-8 s a page divided by 20), once
# with the client finding its pages in flight itself (the default, ceiling 8) and once with -Parallelism 1.
# Both must read the same totals (orders, sum of ids, sum of prices) or the script fails.
#
#   bench/ratio-concurrency.sh [orders=5000]     (full size: 100000)  env LATENCY_MS, PER_PAGE (50), SEED (7)
#
# Last line: ratio <adaptive seconds / one-at-a-time seconds> (lower is better; the goal is 1/6 = 0.17 or less).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# 50 orders a page: what the API serves when the client names no page size (the module names none), so the
# client's CPU per page is in proportion to the latency as it is in production.
export PER_PAGE="${PER_PAGE:-50}"
orders="${1:-5000}"; latency="${LATENCY_MS:-100-400}"
bench_sandbox "$orders" "{\"latency\":{\"minMs\":${latency%-*},\"maxMs\":${latency#*-}}}"
echo "Pages in flight, healthy sandbox: $orders orders, $PER_PAGE a page, latency $latency ms; $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"

bench_read_orders one -Parallelism 1
one_s=$R_SECONDS one_totals=$R_TOTALS
echo "one page at a time   ${one_s} s  totals [$one_totals]  $R_USED"
bench_read_orders adaptive
ad_s=$R_SECONDS ad_totals=$R_TOTALS
echo "adaptive             ${ad_s} s  totals [$ad_totals]  $R_USED; $R_CHANGES change(s) of the limit"
[ "$one_totals" = "$ad_totals" ] || { echo "bench: totals differ: one [$one_totals] adaptive [$ad_totals]" >&2; exit 1; }
echo "speed-up $(ratio "$one_s" "$ad_s")x; load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "ratio $(awk -v a="$ad_s" -v b="$one_s" 'BEGIN{printf "%.3f", a/b}')"
