#!/usr/bin/env bash
# The write path against its true ceiling (issue 18): N SalesRow-shaped rows written by Write-QTicketsClickHouse (the
# built module in pwsh 7.6) against curl sending the same rows already encoded as RowBinary
# ('INSERT ... FORMAT RowBinary': no parsing on the server beyond reading the values, nothing to encode on the
# client), and beside it curl sending them as TSV (the figure of bench/write-vs-curl.sh). Three identical empty
# tables of one private ClickHouse; after each run all three must hold the same count(), sum(revenue) and
# sum(tickets_sold), or the script fails.
#
#   bench/ratio-write.sh [rows=300000]     (full size: 1000000)  env RUNS (1), PAYLOAD_BYTES (512)
#   BENCH_CH_ENV / BENCH_CH_HTTP_PORT / BENCH_CH_TCP_PORT as for every bench script (lib.sh)
#
# The RowBinary file is made by ClickHouse itself from the TSV (inserted into a scratch table, selected back as
# RowBinary), so it is the server's own encoding of exactly those rows, made before anything is timed.
# "cmdlet" is the time inside the engine around the pipeline (import and JIT excluded), as in write-vs-curl.sh.
# Last line: ratio <cmdlet seconds / curl RowBinary seconds> (the goal at 1M rows: 1.2 or less).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
n="${1:-300000}"; runs="${RUNS:-1}"; payload="${PAYLOAD_BYTES:-512}"
bench_bin="$bench_root/bench/QTickets.Benchmarks/bin/Release/net10.0"
dotnet build "$bench_root/bench/QTickets.Benchmarks" -c Release -nologo -v q >/dev/null
bench_clickhouse
db_cmd="qtb_rw_cmdlet_$$"; db_rb="qtb_rw_rowbinary_$$"; db_tsv="qtb_rw_tsv_$$"
for db in "$db_cmd" "$db_rb" "$db_tsv"; do bench_schema "$db"; done
table=stg_qtickets_api_orders_raw
cols="order_id, event_id, city, utm_source, utm_medium, utm_campaign, utm_content, utm_term, sale_ts, tickets_sold, revenue, currency, payload_json, _ver, _dedup_key"
insert_url() { echo "$CH_URL/?query=$(jq -rn --arg q "INSERT INTO $1.$table ($cols) FORMAT $2" '$q|@uri')"; }

tsv="$BENCH_TMP/rows.tsv"; rb="$BENCH_TMP/rows.rowbinary"
dotnet "$bench_bin/QTickets.Benchmarks.dll" gen-tsv "$tsv" "$n" "$payload"
curl -sS --fail-with-body -u "$CH_ADMIN_USER:$CH_ADMIN_PASSWORD" -X POST -T - "$(insert_url "$db_rb" TabSeparated)" <"$tsv"
curl -sS --fail-with-body -u "$CH_ADMIN_USER:$CH_ADMIN_PASSWORD" "$CH_URL/" \
  --data-binary "SELECT $cols FROM $db_rb.$table FORMAT RowBinary" -o "$rb"
echo "Write path vs its ceiling: $n rows, payload_json $payload B; TSV $(du -m "$tsv" | cut -f1) MB, RowBinary $(du -m "$rb" | cut -f1) MB; $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-4s %-24s %8s %8s %8s %9s\n' run path wall_s cpu_s rss_MB vs_rowbin

for run in $(seq "$runs"); do
  for db in "$db_cmd" "$db_rb" "$db_tsv"; do ch_sql "TRUNCATE TABLE $db.$table" >/dev/null; done
  # Both curl sides stream their file from stdin (-T -) rather than reading it whole first (--data-binary @file).
  measure rowbinary bash -c 'curl -sS --fail-with-body -u "$1" -X POST -T - "$2" <"$3"' _ "$CH_ADMIN_USER:$CH_ADMIN_PASSWORD" "$(insert_url "$db_rb" RowBinary)" "$rb"
  rb_wall=$M_WALL rb_cpu=$M_CPU rb_rss=$M_RSS_MB
  measure tsv bash -c 'curl -sS --fail-with-body -u "$1" -X POST -T - "$2" <"$3"' _ "$CH_ADMIN_USER:$CH_ADMIN_PASSWORD" "$(insert_url "$db_tsv" TabSeparated)" "$tsv"
  tsv_wall=$M_WALL tsv_cpu=$M_CPU tsv_rss=$M_RSS_MB
  measure cmdlet "$PWSH" -NoProfile -Command "
    Import-Module '$QT_OUT/QTickets/QTickets.psd1'
    [void][Reflection.Assembly]::LoadFrom('$bench_bin/QTickets.Benchmarks.dll')
    \$w = [Diagnostics.Stopwatch]::StartNew()
    \$r = [QTickets.Benchmarks.SalesRowTsv]::Read('$tsv') | Write-QTicketsClickHouse -EnvFile '$BENCH_TMP/$db_cmd.env' -PassThru -ErrorAction Stop
    [Console]::WriteLine(('{0:0.000} {1}' -f \$w.Elapsed.TotalSeconds, \$r.Rows))"
  read -r c_inner c_rows < "$BENCH_TMP/cmdlet.out"
  c_wall=$M_WALL c_cpu=$M_CPU c_rss=$M_RSS_MB
  # Where the floor of a pipeline is: the same rows made in .NET and counted (no PowerShell), and the same rows
  # through a PowerShell pipeline into a cmdlet that only counts them (Measure-Object binds each one as we do; Out-Null
  # would not: pwsh discards a pipeline into it without enumerating).
  measure floors "$PWSH" -NoProfile -Command "
    [void][Reflection.Assembly]::LoadFrom('$bench_bin/QTickets.Benchmarks.dll')
    \$w = [Diagnostics.Stopwatch]::StartNew()
    \$n = [Linq.Enumerable]::Count([QTickets.Benchmarks.SalesRowTsv]::Read('$tsv'))
    \$source = \$w.Elapsed.TotalSeconds
    \$w.Restart()
    [void]([QTickets.Benchmarks.SalesRowTsv]::Read('$tsv') | Measure-Object)
    [Console]::WriteLine(('{0:0.000} {1:0.000} {2}' -f \$source, \$w.Elapsed.TotalSeconds, \$n))"
  read -r f_source f_pipeline f_rows < "$BENCH_TMP/floors.out"

  a="$(ch_sql "SELECT count(), sum(revenue), sum(tickets_sold) FROM $db_rb.$table")"
  b="$(ch_sql "SELECT count(), sum(revenue), sum(tickets_sold) FROM $db_tsv.$table")"
  c="$(ch_sql "SELECT count(), sum(revenue), sum(tickets_sold) FROM $db_cmd.$table")"
  if [ "$a" != "$b" ] || [ "$a" != "$c" ] || [ "$(cut -f1 <<<"$a")" != "$n" ] || [ "$c_rows" != "$n" ]; then
    echo "bench: tables differ: RowBinary [$a] TSV [$b] cmdlet [$c]" >&2; exit 1
  fi
  printf '%-4s %-24s %8s %8s %8s %9s\n' "$run" "curl RowBinary" "$rb_wall" "$rb_cpu" "$rb_rss" "1.00"
  printf '%-4s %-24s %8s %8s %8s %9s\n' "$run" "curl TSV" "$tsv_wall" "$tsv_cpu" "$tsv_rss" "$(ratio "$tsv_wall" "$rb_wall")"
  printf '%-4s %-24s %8s %8s %8s %9s\n' "$run" "cmdlet (pipeline)" "$c_inner" "-" "-" "$(ratio "$c_inner" "$rb_wall")"
  printf '%-4s %-24s %8s %8s %8s %9s\n' "$run" "cmdlet (process)" "$c_wall" "$c_cpu" "$c_rss" "$(ratio "$c_wall" "$rb_wall")"
  printf '%-4s %-24s %8s %8s %8s %9s\n' "$run" "floor: rows made (.NET)" "$f_source" "-" "-" "$(ratio "$f_source" "$rb_wall")"
  printf '%-4s %-24s %8s %8s %8s %9s\n' "$run" "floor: rows | Measure" "$f_pipeline" "-" "-" "$(ratio "$f_pipeline" "$rb_wall")"
  echo "     all three tables: count, sum(revenue), sum(tickets) = $(tr '\t' ' ' <<<"$a"); load: $(cut -d' ' -f1-3 /proc/loadavg)"
done
for db in "$db_cmd" "$db_rb" "$db_tsv"; do ch_sql "DROP DATABASE IF EXISTS $db SYNC" >/dev/null; done
echo "ratio $(awk -v a="$c_inner" -v b="$rb_wall" 'BEGIN{printf "%.3f", a/b}')"
