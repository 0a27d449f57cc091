#!/usr/bin/env bash
# End to end (issue 8): the whole load of one sandbox data set into the same local ClickHouse, four ways, side by side.
#   1 loader   scripts/Invoke-QTicketsLoader.ps1 under pwsh 7.6, default settings (-SinceHours covering
#              every order, -Now = the sandbox's clock)
#   2 legacy   one page at a time, all in memory, then transform, then insert: Get-QTicketsOrder -Parallelism 1
#              collected into an array, ConvertTo-QTicketsSalesRow into an array, then Write-QTicketsClickHouse
#   3 by hand  bench/e2e-by-hand.sh: curl page by page, jq, one INSERT ... FORMAT JSONEachRow
#   4 ceiling  only inserting the final rows (exported from 1's table as TSV beforehand) with curl --data-binary
# Each method gets its own fresh database (schema by Initialize-QTicketsClickHouse as admin). Prints wall, CPU
# (user+sys of the process and its children) and peak RSS (ru_maxrss: the largest single process) of each and the
# ratios to 1. Fails unless 1-3 leave the same FINAL totals in staging (count, sum tickets_sold, sum revenue).
#
#   bench/e2e.sh [orders...]      default 10000 100000
# env: RUNS (2), LATENCY_MS ("100-400": the production report's 2-8 s per page divided by 20; "off" for none),
#      PER_PAGE (200: the sandbox's page size for every client), METHODS ("loader legacy hand ceiling"), SEED (7)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
runs="${RUNS:-2}"; latency="${LATENCY_MS:-100-400}"; per_page="${PER_PAGE:-200}"; seed="${SEED:-7}"
methods="${METHODS:-loader legacy hand ceiling}"
now="2026-11-20T12:00:00+03:00"        # the sandbox's virtual now (passed to it explicitly)
history_days=60; since_hours=$(( (history_days + 2) * 24 ))
since="2026-09-19T12:00:00+03:00"      # now - since_hours
version=1795165200                     # the loader's _ver for -Now (Unix seconds of now); the others use the same
token="bench-$RANDOM$RANDOM$RANDOM"
bench_clickhouse

faults='{}'
if [ "$latency" != off ]; then faults="{\"latency\":{\"minMs\":${latency%-*},\"maxMs\":${latency#*-}}}"; fi

start_sandbox() { # start_sandbox <orders>: sets SB_URL SB_PID
  local out="$BENCH_TMP/sandbox.out"
  "$QT_OUT/qtickets-sandbox" --port 0 --token "$token" --seed "$seed" --orders "$1" --history-days "$history_days" \
    --now "$now" --default-per-page "$per_page" --faults "$faults" >"$out" 2>"$BENCH_TMP/sandbox.err" &
  SB_PID=$!; bench_pids+=("$SB_PID")
  for _ in $(seq 1200); do [ -s "$out" ] && break; sleep 0.1; done
  SB_URL="$(head -1 "$out" | sed 's/^QTickets sandbox listening on //')"
  [ -n "$SB_URL" ] || { echo "bench: sandbox did not start" >&2; cat "$BENCH_TMP/sandbox.err" >&2; exit 1; }
}

totals() { ch_sql "SELECT count(), sum(tickets_sold), sum(revenue) FROM $1.stg_qtickets_api_orders_raw FINAL" | tr '\t' ' '; }

loader_env() { # loader_env <db> <file>
  bench_envfile "$1" "$2"
  printf 'QTICKETS_TOKEN=%s\nQTICKETS_BASE_URL=%s\n' "$token" "$SB_URL" >>"$2"
}

run_method() { # run_method <method> <db>: sets R_WALL R_CPU R_RSS R_NOTE
  local m="$1" db="$2" env="$BENCH_TMP/$2.env"
  bench_schema "$db"
  loader_env "$db" "$env"
  case "$m" in
    loader)
      measure "$m" "$PWSH" -NoProfile -Command "
        Import-Module '$QT_OUT/QTickets/QTickets.psd1'
        & '$bench_root/scripts/Invoke-QTicketsLoader.ps1' -EnvFile '$env' -SinceHours $since_hours -Now '$now'
        exit \$LASTEXITCODE"
      R_NOTE="$(head -1 "$BENCH_TMP/$m.out" | cut -c1-150)" ;;
    legacy)
      measure "$m" "$PWSH" -NoProfile -Command "
        Import-Module '$QT_OUT/QTickets/QTickets.psd1'
        \$ErrorActionPreference = 'Stop'
        \$events = @(Get-QTicketsEvent -EnvFile '$env')
        \$orders = @(Get-QTicketsOrder -EnvFile '$env' -Since '$since' -Until '$now' -IncludeUnpaid -IncludeCancelled -Parallelism 1)
        \$rows = @(\$orders | ConvertTo-QTicketsSalesRow -EnvFile '$env' -Event \$events -Version $version)
        \$r = \$rows | Write-QTicketsClickHouse -EnvFile '$env' -PassThru
        [Console]::WriteLine(('{0} orders, {1} rows written' -f \$orders.Count, \$r.Rows))"
      R_NOTE="$(cat "$BENCH_TMP/$m.out")" ;;
    hand)
      measure "$m" bash "$bench_root/bench/e2e-by-hand.sh" "$SB_URL" "$token" "$since" "$now" "$version" \
        "$CH_URL" "$CH_ADMIN_USER" "$CH_ADMIN_PASSWORD" "$db"
      R_NOTE="$(tail -1 "$BENCH_TMP/$m.out")" ;;
    ceiling)
      # Streamed (-T - from stdin): --data-binary @file reads the file whole and ran out of memory on the 1.3 GB of
      # rows of 1M orders. Up to 100k orders both forms give the same figures.
      measure "$m" bash -c 'exec curl -sS --fail-with-body -u "$1" -X POST -H "Expect:" -T - "$2" < "$3"' _ \
        "$CH_ADMIN_USER:$CH_ADMIN_PASSWORD" \
        "$CH_URL/?query=$(jq -rn --arg q "INSERT INTO $db.stg_qtickets_api_orders_raw FORMAT TabSeparated" '$q|@uri')" \
        "$BENCH_TMP/final.tsv"
      R_NOTE="$(wc -l <"$BENCH_TMP/final.tsv") rows, $(du -m "$BENCH_TMP/final.tsv" | cut -f1) MB TSV" ;;
  esac
  R_WALL=$M_WALL R_CPU=$M_CPU R_RSS=$M_RSS_MB
}

echo "End to end: sandbox seed $seed, $per_page orders per page, latency ${latency} ms per request; $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
for n in "${sizes[@]}"; do
  start_sandbox "$n"
  sb_rss="$(awk '/VmRSS/{printf "%.0f", $2/1024}' "/proc/$SB_PID/status")"
  echo
  echo "== $n orders (sandbox RSS after start ${sb_rss} MB)"
  printf '%-3s %-8s %9s %8s %8s %10s %9s %9s  %s\n' run method wall_s cpu_s rss_MB 'wall/(1)' 'cpu/(1)' 'rss/(1)' note
  for run in $(seq "$runs"); do
    declare -A W C R T
    for m in $methods; do
      db="qtb_e2e_${m}_$$"
      if [ "$m" = ceiling ]; then
        [ -s "$BENCH_TMP/final.tsv" ] || ch_sql "SELECT * FROM qtb_e2e_loader_$$.stg_qtickets_api_orders_raw FINAL FORMAT TabSeparated" >"$BENCH_TMP/final.tsv"
      fi
      run_method "$m" "$db"
      W[$m]=$R_WALL C[$m]=$R_CPU R[$m]=$R_RSS T[$m]="$(totals "$db")"
      base=loader; [ -n "${W[loader]:-}" ] || base="$m"
      printf '%-3s %-8s %9s %8s %8s %10s %9s %9s  %s\n' "$run" "$m" "$R_WALL" "$R_CPU" "$R_RSS" \
        "$(ratio "$R_WALL" "${W[$base]}")" "$(ratio "$R_CPU" "${C[$base]}")" "$(ratio "$R_RSS" "${R[$base]}")" "$R_NOTE"
    done
    echo "    FINAL count, tickets, revenue: $(for m in $methods; do printf '%s [%s]  ' "$m" "${T[$m]}"; done); load: $(cut -d' ' -f1-3 /proc/loadavg)"
    ref=""
    for m in $methods; do
      [ "$m" = ceiling ] && continue
      if [ -z "$ref" ]; then ref="${T[$m]}"; elif [ "${T[$m]}" != "$ref" ]; then
        echo "bench: FINAL totals differ between methods (see above)" >&2; exit 1
      fi
    done
    for m in $methods; do ch_sql "DROP DATABASE IF EXISTS qtb_e2e_${m}_$$ SYNC" >/dev/null; done
    unset W C R T
  done
  echo "    sandbox RSS at the end: $(awk '/VmHWM/{printf "%.0f", $2/1024}' "/proc/$SB_PID/status") MB peak"
  kill "$SB_PID"; wait "$SB_PID" 2>/dev/null || true
  rm -f "$BENCH_TMP/final.tsv"
done
