#!/usr/bin/env bash
# Pages in flight vs one page at a time: Get-QTicketsOrder against the bundled sandbox with realistic latency
# (every request waits a random 200-800 ms, like the real API's 2-8 s per page scaled down), run through
# pwsh 7.6 (./build.sh pwsh) exactly as a user would. Needs ./build.sh build.
#   bench/api-parallel.sh [orders=3000] [parallelism=4] [latency-min-ms=200] [latency-max-ms=800]
# QTICKETS_OUT=<dir> uses a build laid out elsewhere instead of out/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
orders="${1:-3000}"; parallel="${2:-4}"; lmin="${3:-200}"; lmax="${4:-800}"
token="bench-$RANDOM$RANDOM$RANDOM"
out="$(mktemp)"
"${QTICKETS_OUT:-$root/out}/qtickets-sandbox" --port 0 --token "$token" --seed 99 --orders "$orders" \
  --faults "{\"latency\":{\"minMs\":$lmin,\"maxMs\":$lmax}}" >"$out" 2>/dev/null &
sandbox=$!
trap 'kill $sandbox 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 100); do [ -s "$out" ] && break; sleep 0.1; done
url="$(head -1 "$out" | sed 's/^QTickets sandbox listening on //')"

run() {
  # The figure is measured inside the engine, around the command only (module import and JIT excluded).
  "$root/build.sh" pwsh -NoProfile -Command "
    Import-Module '${QTICKETS_OUT:-$root/out}/QTickets/QTickets.psd1'
    \$w = [Diagnostics.Stopwatch]::StartNew(); \$n = 0
    Get-QTicketsOrder -Token '$token' -BaseUrl '$url' -Since '2026-09-01T00:00:00+03:00' -Until '2026-11-21T00:00:00+03:00' -IncludeCancelled -Parallelism $1 | ForEach-Object { \$n++ }
    [Console]::WriteLine(('{0,-14} {1,6} orders in {2,6:0.00} s' -f 'parallelism $1', \$n, \$w.Elapsed.TotalSeconds))"
}
echo "sandbox: $orders orders, latency ${lmin}-${lmax} ms per request"
run 1
run "$parallel"
