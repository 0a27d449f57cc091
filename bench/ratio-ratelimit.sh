#!/usr/bin/env bash
# Adaptive pages in flight under a rate limit (issue 18): the sandbox answers 429 (Retry-After) to every request beyond
# RATE a second (a token bucket of RATE), every answer waiting a random LATENCY_MS. Get-QTicketsOrder reads every
# order once per fixed number of pages in flight (-Parallelism, the sweep SWEEP) and once adaptive (the default);
# every run must read the same totals. Per run: seconds, requests the sandbox saw and how many it answered 429.
#
#   bench/ratio-ratelimit.sh [orders=10000]     env RATE (5), SWEEP ("1 2 3 4"), LATENCY_MS (100-400), PER_PAGE (50)
#
# Goals: the adaptive read's 429s under 2% of its requests, its time within 1.3x of the best fixed one.
# Last line: ratio <adaptive seconds / best fixed seconds>.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# 50 orders a page: what the API serves when the client names no page size (the module names none), so the
# client's CPU per page is in proportion to the latency as it is in production.
export PER_PAGE="${PER_PAGE:-50}"
orders="${1:-10000}"; rate="${RATE:-5}"; sweep="${SWEEP:-1 2 3 4}"; latency="${LATENCY_MS:-100-400}"
faults="{\"latency\":{\"minMs\":${latency%-*},\"maxMs\":${latency#*-}},\"rateLimit\":{\"perSecond\":$rate,\"burst\":$rate}}"
bench_sandbox "$orders" "$faults"
echo "Pages in flight under a rate limit of $rate requests/s: $orders orders, $PER_PAGE a page, latency $latency ms; $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-14s %9s %9s %6s %8s  %s\n' run seconds requests 429s 429_pct "pages in flight"

run() { # run <label> <parameters>: a fresh bucket and fresh counters, then one read
  local label="$1"; shift
  curl -sS -X POST "$SB_CONTROL/faults" --data-binary "$faults" >/dev/null
  curl -sS -X POST "$SB_CONTROL/stats/reset" >/dev/null
  bench_read_orders "$label" "$@"
  RUN_REQUESTS="$(sandbox_stat '.total')"; RUN_429="$(sandbox_stat '.faults.ratelimit')"
  RUN_PCT="$(awk -v a="$RUN_429" -v b="$RUN_REQUESTS" 'BEGIN{printf "%.1f", 100*a/b}')"
  printf '%-14s %9s %9s %6s %7s%%  %s\n' "$label" "$R_SECONDS" "$RUN_REQUESTS" "$RUN_429" "$RUN_PCT" "$R_USED"
  if [ -z "${TOTALS:-}" ]; then TOTALS="$R_TOTALS"
  elif [ "$TOTALS" != "$R_TOTALS" ]; then echo "bench: $label read [$R_TOTALS], the first run [$TOTALS]" >&2; exit 1; fi
}

best=""; best_label=""
for p in $sweep; do
  run "fixed-$p" -Parallelism "$p"
  if [ -z "$best" ] || awk -v a="$R_SECONDS" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$R_SECONDS; best_label="fixed-$p"; fi
done
run adaptive
echo "totals (orders, sum of ids, sum of prices) equal in every run: [$TOTALS]"
echo "adaptive: $RUN_429 of $RUN_REQUESTS requests answered 429 ($RUN_PCT%, goal < 2%); best fixed: $best_label, $best s; load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "ratio $(awk -v a="$R_SECONDS" -v b="$best" 'BEGIN{printf "%.3f", a/b}')"
