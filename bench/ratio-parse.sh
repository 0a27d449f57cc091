#!/usr/bin/env bash
# Parse + convert against the System.Text.Json floor (issue 18): the genuine first page of GET /orders
# (tests/fixtures/orders_page1.json, 50 orders) parsed by the module into Orders (with the scrubbed payload) and
# converted to SalesRows, against plain STJ (source-generated) into a minimal class of the fields a row needs. One
# process, rounds that run each side once (floor and parse + convert next to each other, in turn first), after 3 s of
# warm-up; each side's median per order and its allocation per order.
#
#   bench/ratio-parse.sh [rounds=31] [pages-per-round=20]
#
# The same methods as the BenchmarkDotNet class ParseAndConvertBenchmarks (BENCHMARKS.md "Parse and convert"); this is
# the quick side-by-side. Last line: ratio <median over the rounds of parse + convert's time / the floor's time in the
# same round> (goal: 1.5 or less); why per round: bench/QTickets.Benchmarks/ParseRatio.cs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build "$root/bench/QTickets.Benchmarks" -c Release -nologo -v q >/dev/null
echo "Parse + convert vs the STJ floor, genuine orders page; $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet "$root/bench/QTickets.Benchmarks/bin/Release/net10.0/QTickets.Benchmarks.dll" ratio-parse "${1:-31}" "${2:-20}"
