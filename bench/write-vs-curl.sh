#!/usr/bin/env bash
# The ClickHouse write path (issue 5 "Must show"): N SalesRow-shaped rows written through Write-QTicketsClickHouse
# (the built module in the PowerShell 7.6 engine, pwsh 7.6) against `curl --data-binary @rows.tsv`
# 'INSERT ... FORMAT TabSeparated' of the same rows into an identical empty table of the same server, side by side.
#
#   bench/write-vs-curl.sh [rows...]        default: 100000 1000000; env RUNS (2), PAYLOAD_BYTES (512),
#                                           BATCH (the cmdlet's -BatchSize, default its own 100000)
#
# The rows are generated once per N as TSV (bench/QTickets.Benchmarks gen-tsv). curl sends that file. The cmdlet gets
# the same rows as [QTickets.Core.Transform.SalesRow] objects streamed from the file by compiled code
# ([QTickets.Benchmarks.SalesRowTsv]::Read, one line per row, nothing held), so the pipeline carries exactly what
# the transform would hand it and no PowerShell script runs per row. The cost of producing those objects is
# measured on its own ("rows only": the same pipeline into the same cmdlet with -WhatIf) and shown next to the write.
# Figures: wall of each process, CPU (user+sys), peak RSS (ru_maxrss = VmHWM) of the writing process; for the
# cmdlet also the time measured inside the engine around the pipeline alone (import and JIT excluded).
# Each run starts from empty tables; both tables must hold the same count() and sum(revenue), or the script fails.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)
runs="${RUNS:-2}"; payload="${PAYLOAD_BYTES:-512}"
bench_bin="$bench_root/bench/QTickets.Benchmarks/bin/Release/net10.0"
dotnet build "$bench_root/bench/QTickets.Benchmarks" -c Release -nologo -v q >/dev/null
bench_clickhouse
db_cmd="qtb_write_cmdlet_$$"; db_curl="qtb_write_curl_$$"
bench_schema "$db_cmd"; bench_schema "$db_curl"
table=stg_qtickets_api_orders_raw
cols="order_id, event_id, city, utm_source, utm_medium, utm_campaign, utm_content, utm_term, sale_ts, tickets_sold, revenue, currency, payload_json, _ver, _dedup_key"
batch_arg=""; [ -n "${BATCH:-}" ] && batch_arg="-BatchSize $BATCH"

echo "ClickHouse write path: cmdlet vs curl --data-binary TSV; payload_json $payload B; $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-9s %-3s %-22s %8s %8s %8s %11s %9s\n' rows run path wall_s cpu_s rss_MB rows_per_s ratio
for n in "${sizes[@]}"; do
  tsv="$BENCH_TMP/rows-$n.tsv"
  dotnet "$bench_bin/QTickets.Benchmarks.dll" gen-tsv "$tsv" "$n" "$payload"
  for run in $(seq "$runs"); do
    ch_sql "TRUNCATE TABLE $db_curl.$table" >/dev/null
    ch_sql "TRUNCATE TABLE $db_cmd.$table" >/dev/null

    # (a) the ceiling: curl streams the file, the server parses TSV.
    measure curl curl -sS --fail-with-body -u "$CH_ADMIN_USER:$CH_ADMIN_PASSWORD" \
      "$CH_URL/?query=$(jq -rn --arg q "INSERT INTO $db_curl.$table ($cols) FORMAT TabSeparated" '$q|@uri')" \
      --data-binary @"$tsv"
    c_wall=$M_WALL c_cpu=$M_CPU c_rss=$M_RSS_MB

    # (b) the cmdlet, in its own process.
    measure cmdlet "$PWSH" -NoProfile -Command "
      Import-Module '$QT_OUT/QTickets/QTickets.psd1'
      [void][Reflection.Assembly]::LoadFrom('$bench_bin/QTickets.Benchmarks.dll')
      \$w = [Diagnostics.Stopwatch]::StartNew()
      \$r = [QTickets.Benchmarks.SalesRowTsv]::Read('$tsv') | Write-QTicketsClickHouse -EnvFile '$BENCH_TMP/$db_cmd.env' $batch_arg -PassThru -ErrorAction Stop
      [Console]::WriteLine(('{0:0.000} {1} {2}' -f \$w.Elapsed.TotalSeconds, \$r.Rows, \$r.Batches))"
    read -r w_inner w_rows w_batches < "$BENCH_TMP/cmdlet.out"
    p_wall=$M_WALL p_cpu=$M_CPU p_rss=$M_RSS_MB

    # (c) rows only: the same objects into the same cmdlet with -WhatIf (pipeline and binding, no column map, no
    # batches, no driver): what (b) pays before the write path proper.
    measure rowsonly "$PWSH" -NoProfile -Command "
      Import-Module '$QT_OUT/QTickets/QTickets.psd1'
      [void][Reflection.Assembly]::LoadFrom('$bench_bin/QTickets.Benchmarks.dll')
      \$w = [Diagnostics.Stopwatch]::StartNew()
      [QTickets.Benchmarks.SalesRowTsv]::Read('$tsv') | Write-QTicketsClickHouse -EnvFile '$BENCH_TMP/$db_cmd.env' -WhatIf
      [Console]::WriteLine('{0:0.000}' -f \$w.Elapsed.TotalSeconds)"
    r_inner="$(tail -1 "$BENCH_TMP/rowsonly.out")"

    # Same rows in both tables.
    a="$(ch_sql "SELECT count(), sum(revenue), sum(tickets_sold) FROM $db_curl.$table")"
    b="$(ch_sql "SELECT count(), sum(revenue), sum(tickets_sold) FROM $db_cmd.$table")"
    if [ "$a" != "$b" ] || [ "$(cut -f1 <<<"$a")" != "$n" ] || [ "$w_rows" != "$n" ]; then
      echo "bench: tables differ: curl [$a] cmdlet [$b] (cmdlet reported $w_rows rows)" >&2; exit 1
    fi

    printf '%-9s %-3s %-22s %8s %8s %8s %11.0f %9s\n' "$n" "$run" "curl --data-binary" "$c_wall" "$c_cpu" "$c_rss" "$(awk -v n="$n" -v t="$c_wall" 'BEGIN{print n/t}')" "1.00"
    printf '%-9s %-3s %-22s %8s %8s %8s %11.0f %9s\n' "$n" "$run" "cmdlet (pipeline)" "$w_inner" "-" "-" "$(awk -v n="$n" -v t="$w_inner" 'BEGIN{print n/t}')" "$(ratio "$w_inner" "$c_wall")"
    printf '%-9s %-3s %-22s %8s %8s %8s %11.0f %9s\n' "$n" "$run" "cmdlet (process)" "$p_wall" "$p_cpu" "$p_rss" "$(awk -v n="$n" -v t="$p_wall" 'BEGIN{print n/t}')" "$(ratio "$p_wall" "$c_wall")"
    printf '%-9s %-3s %-22s %8s %8s %8s %11s %9s\n' "$n" "$run" "  of which rows only" "$r_inner" "($M_CPU)" "($M_RSS_MB)" "" ""
    echo "          both tables: count, sum(revenue), sum(tickets) = $(tr '\t' ' ' <<<"$a"); cmdlet: $w_batches batches; load: $(cut -d' ' -f1-3 /proc/loadavg)"
  done
  rm -f "$tsv"
done
ch_sql "DROP DATABASE IF EXISTS $db_cmd SYNC" >/dev/null
ch_sql "DROP DATABASE IF EXISTS $db_curl SYNC" >/dev/null
