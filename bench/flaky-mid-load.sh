#!/usr/bin/env bash
# The API turning flaky part-way through a read (issue 18): a sandbox with latency LATENCY_MS answers the first
# HEALTHY requests cleanly, then 503 to a share P of the next FLAKY requests, then cleanly again (fault phases counted
# in requests). Get-QTicketsOrder reads every order with adaptive pages in flight; the script prints every change of
# the limit (the verbose lines) and the range used, and checks the totals against a read of the same sandbox with
# the faults off.
#
#   bench/flaky-mid-load.sh [orders=5000]     env HEALTHY (40), FLAKY (40), P (0.25), LATENCY_MS (100-400), PER_PAGE (50)
#
# Last line: ratio <flaky read seconds / fault-free read seconds> (what the flaky phase cost).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# 50 orders a page: what the API serves when the client names no page size (the module names none), so the
# client's CPU per page is in proportion to the latency as it is in production.
export PER_PAGE="${PER_PAGE:-50}"
orders="${1:-5000}"; healthy="${HEALTHY:-40}"; flaky="${FLAKY:-40}"; p="${P:-0.25}"; latency="${LATENCY_MS:-100-400}"
lat="\"latency\":{\"minMs\":${latency%-*},\"maxMs\":${latency#*-}}"
phases="{$lat,\"phases\":[{\"mode\":\"stable\",\"requests\":$healthy},{\"mode\":\"intermittent\",\"p\":$p,\"requests\":$flaky},{\"mode\":\"stable\"}]}"
bench_sandbox "$orders" "{$lat}"
echo "API flaky mid-read: $orders orders, $PER_PAGE a page, latency $latency ms; requests 1-$healthy clean, the next $flaky 503 with p $p, then clean; $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"

bench_read_orders clean
clean_s=$R_SECONDS truth=$R_TOTALS
echo "fault-free read: $clean_s s, totals [$truth], $R_USED"

curl -sS -X POST "$SB_CONTROL/faults" --data-binary "$phases" >/dev/null
curl -sS -X POST "$SB_CONTROL/stats/reset" >/dev/null
bench_read_orders flaky -MaxAttempts 8
echo "flaky read: $R_SECONDS s, totals [$R_TOTALS], $R_USED; the sandbox answered $(sandbox_stat '.faults["503-phase"]') of $(sandbox_stat '.total') requests 503"
echo "changes of the pages in flight, in order:"
grep '^Pages in flight [0-9]* -> ' "$BENCH_TMP/flaky.verbose" | sed 's/^/  /'
echo "(every change is also a verbose line of Get-QTicketsOrder -Verbose)"
[ "$R_TOTALS" = "$truth" ] || { echo "bench: the flaky read's totals [$R_TOTALS] differ from the fault-free read [$truth]" >&2; exit 1; }
echo "totals equal the fault-free read; load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "ratio $(awk -v a="$R_SECONDS" -v b="$clean_s" 'BEGIN{printf "%.3f", a/b}')"
