#!/usr/bin/env bash
# The same benchmarks on two builds in one run, interleaved: an earlier commit (built in a temporary worktree) and
# this tree. Each side runs its own copy of the bench scripts against its own module, so a change of names or
# types between the two cannot break either. Rounds alternate (before, after, before, after) so a machine that gets
# busier or quieter mid-run weighs on both sides alike.
#
#   bench/before-after.sh REV        env: ROUNDS (2), E2E_ORDERS (100000), WRITE_ROWS (1000000), LATENCY_MS (100-400)
#
# Prints, per round and side, the end-to-end loader line (bench/e2e.sh METHODS=loader) and the write path's
# cmdlet-vs-curl lines (bench/write-vs-curl.sh), then a summary of the medians.
set -euo pipefail
rev="${1:?usage: bench/before-after.sh REV}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${ROUNDS:-2}"; orders="${E2E_ORDERS:-100000}"; rows="${WRITE_ROWS:-1000000}"
tmp="$(mktemp -d /tmp/qtbefore.XXXXXX)"
cleanup() { git -C "$here" worktree remove --force "$tmp/before" >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT
git -C "$here" worktree add --detach "$tmp/before" "$rev" >/dev/null
echo "before: $(git -C "$here" log --oneline -1 "$rev" | cut -c1-100)"
echo "after:  $(git -C "$here" log --oneline -1 HEAD | cut -c1-100)$(git -C "$here" diff --quiet HEAD || echo ' (+ uncommitted changes)')"
(cd "$tmp/before" && ./build.sh build -clp:ErrorsOnly >/dev/null)
[ -f "$here/out/QTickets/QTickets.psd1" ] || (cd "$here" && ./build.sh build -clp:ErrorsOnly >/dev/null)
: >"$tmp/results"
for round in $(seq "$rounds"); do
  for side in before after; do
    root="$here"; [ "$side" = before ] && root="$tmp/before"
    e2e="$(cd "$root" && METHODS=loader RUNS=1 LATENCY_MS="${LATENCY_MS:-100-400}" BENCH_CH_HTTP_PORT=18223 BENCH_CH_TCP_PORT=19100 \
      bench/e2e.sh "$orders" 2>&1 | awk '$2 == "loader" {print $3, $4, $5}')"
    write="$(cd "$root" && RUNS=1 BENCH_CH_HTTP_PORT=18223 BENCH_CH_TCP_PORT=19100 bench/write-vs-curl.sh "$rows" 2>&1 |
      awk '$3 == "curl" {c=$5} $3 == "cmdlet" && $4 == "(pipeline)" {p=$5} END {print c, p}')"
    echo "round $round $side: e2e loader ${orders} orders wall/cpu/rss = $e2e; write ${rows} rows curl/cmdlet wall = $write"
    echo "$side $e2e $write" >>"$tmp/results"
  done
done
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
for side in before after; do
  e2e_wall="$(awk -v s="$side" '$1 == s {print $2}' "$tmp/results" | median)"
  e2e_rss="$(awk -v s="$side" '$1 == s {print $4}' "$tmp/results" | median)"
  w_ratio="$(awk -v s="$side" '$1 == s {print $6 / $5}' "$tmp/results" | median)"
  echo "median $side: e2e loader wall ${e2e_wall} s, rss ${e2e_rss} MB; write path cmdlet/curl ${w_ratio}"
done
