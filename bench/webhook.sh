#!/usr/bin/env bash
# Webhooks against the 15-minute schedule (issue 19): how soon a payment in the sandbox is in the daily facts when
# QTickets pushes it to scripts/Start-QTicketsWebhookReceiver.ps1, how many deliveries a second the receiver
# sustains with nothing lost, and the receiver's memory along the way. One sandbox (a seeded world, backfilled into
# a fresh database by the scheduled loader first), one receiver process (pwsh 7.6), one ClickHouse, same machine.
#
#  latency     clock steps of STEP_SECONDS virtual seconds at RATE orders an hour: the step's payments are delivered
#              at once; the time from the step (the payments) to the moment the daily facts FINAL equal the sandbox
#              truth counts for every order paid in it. Until at least ORDERS paid orders are measured. p50/p99.
#  throughput  one clock step of BURST_HOURS virtual hours (thousands of changes), delivered CONCURRENCY at a time:
#              deliveries/s from the step to the last 200, then to facts = truth; nothing dead, nothing refused.
#  schedule    one scheduled run (the loader script over its normal window) after the traffic: its duration, and
#              what the 15-minute cadence means for the same payments (uniform wait 0-15 min, plus the run).
#  memory      the receiver's RSS at start, after each phase (ps), and its peak (VmHWM).
#
#   bench/webhook.sh
# env: ORDERS (1000), RATE (2400), STEP_SECONDS (30), BURST_HOURS (4), CONCURRENCY (32), SEED (23);
#      STAGING_FSYNC (1; 0 turns the orders staging table's fsync settings off, to measure what they cost);
#      BENCH_CH_ENV (a running ClickHouse's dotenv; default: a private one, started and stopped here)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

want="${ORDERS:-1000}"; rate="${RATE:-2400}"; step="${STEP_SECONDS:-30}"; burst="${BURST_HOURS:-4}"
concurrency="${CONCURRENCY:-32}"; seed="${SEED:-23}"
now="2026-11-20T12:00:00+03:00"
token="bench-$RANDOM$RANDOM$RANDOM"; secret="bench-webhook-$RANDOM$RANDOM$RANDOM$RANDOM"
db=qt_bench_webhook
bench_clickhouse
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18099)"

out="$BENCH_TMP/sandbox.out"
"$QT_OUT/qtickets-sandbox" --port 0 --token "$token" --seed "$seed" --orders 2000 --history-days 20 --now "$now" --rate "$rate" \
  --webhook-url "http://127.0.0.1:$port/qtickets/webhook" --webhook-secret "$secret" >"$out" 2>"$BENCH_TMP/sandbox.err" &
bench_pids+=("$!")
for _ in $(seq 600); do [ -s "$out" ] && break; sleep 0.1; done
sb="$(head -1 "$out" | sed 's/^QTickets sandbox listening on //')"; root="${sb%/api/rest/v1}"
ctl() { curl -sS --fail-with-body -X "$1" "$root$2" -H 'Content-Type: application/json' ${3:+--data-binary "$3"}; }

bench_schema "$db"
if [ "${STAGING_FSYNC:-1}" = 0 ]; then
  ch_sql "ALTER TABLE $db.stg_qtickets_api_orders_raw MODIFY SETTING fsync_after_insert = 0, fsync_part_directory = 0" >/dev/null
fi
echo "staging table: $(ch_sql "SELECT extract(create_table_query, 'fsync_after_insert = [01], fsync_part_directory = [01]') FROM system.tables WHERE database = '$db' AND name = 'stg_qtickets_api_orders_raw' FORMAT TSV")"
bench_receiver "$db" "$token" "$sb" "$secret" "$port" "$now"
env="$ENV_FILE"; rpid="$RECEIVER_PID"
rss() { awk '/VmRSS/{printf "%.0f", $2/1024}' "/proc/$rpid/status"; }
hwm() { awk '/VmHWM/{printf "%.0f", $2/1024}' "/proc/$rpid/status"; }
rss_start="$(rss)"

truth() { ctl GET /_sandbox/truth | jq -r '"\(.totals.tickets) \(.totals.revenue)"' | awk '{printf "%d %.2f\n", $1, $2}'; }
facts() { ch_sql "SELECT sum(tickets_sold), round(sum(revenue), 2) FROM $db.fact_qtickets_sales_daily FINAL FORMAT TSV" | awk '{printf "%d %.2f\n", $1, $2}'; }
ms() { date +%s%3N; }
wait_facts() { # wait_facts <start ms>: prints ms from start to facts = truth (fails after 120 s)
  local want_t; want_t="$(truth)"
  for _ in $(seq 6000); do
    [ "$(facts)" = "$want_t" ] && { echo $(( $(ms) - $1 )); return 0; }
    sleep 0.02
  done
  echo "bench: facts never reached the truth ($(facts) vs $want_t)" >&2; return 1
}

# ---------------------------------------------------------------- latency
: >"$BENCH_TMP/latency"
measured=0; steps=0
while [ "$measured" -lt "$want" ]; do
  t0="$(ms)"
  paid="$(ctl POST /_sandbox/clock/advance "{\"seconds\":$step}" | jq -r .paid)"
  took="$(wait_facts "$t0")"
  steps=$((steps + 1))
  if [ "$paid" -gt 0 ]; then
    for _ in $(seq "$paid"); do echo "$took"; done >>"$BENCH_TMP/latency"
    measured=$((measured + paid))
  fi
done
pct() { sort -n "$BENCH_TMP/latency" | awk -v p="$1" '{a[NR]=$1} END{i=int(NR*p/100+0.999); if(i<1)i=1; print a[i]}'; }
p50="$(pct 50)"; p99="$(pct 99)"; pmax="$(pct 100)"
rss_latency="$(rss)"
lat_stats="$(ctl GET /_sandbox/webhooks)"

# ---------------------------------------------------------------- throughput
ctl POST /_sandbox/webhooks "{\"concurrency\":$concurrency}" >/dev/null
before="$(jq -r .delivered <<<"$lat_stats")"
t0="$(ms)"
burst_json="$(ctl POST /_sandbox/clock/advance "{\"hours\":$burst}")"
flush="$(ctl POST /_sandbox/webhooks/flush)"
t_delivered=$(( $(ms) - t0 ))
t_facts="$(wait_facts "$t0")"
delivered=$(( $(jq -r .delivered <<<"$flush") - before ))
per_s="$(awk -v n="$delivered" -v t="$t_delivered" 'BEGIN{printf "%.0f", n*1000/t}')"
rss_burst="$(rss)"

# ---------------------------------------------------------------- the schedule, for comparison
t0="$(ms)"
"$PWSH" -NoProfile -File "$bench_root/scripts/Invoke-QTicketsLoader.ps1" -EnvFile "$env" \
  -Now "$(ctl GET /_sandbox/clock | jq -r .now)" >"$BENCH_TMP/scheduled.out"
t_run=$(( $(ms) - t0 ))
sched_line="$(head -1 "$BENCH_TMP/scheduled.out")"
drift="$( [ "$(facts)" = "$(truth)" ] && echo none || echo "facts $(facts) vs truth $(truth)")"

peak_mb="$(hwm)"
kill -TERM "$rpid"; wait "$rpid" || true
summary="$(tail -1 "$BENCH_TMP/receiver.out")"
lines="$(grep -c . "$BENCH_TMP/receiver.out")"

echo
echo "latency: $measured paid orders in $steps clock steps of ${step} s at $rate orders/h: payment -> daily facts p50 ${p50} ms, p99 ${p99} ms, max ${pmax} ms"
echo "         sandbox: $(jq -c '{delivered,failedAttempts,dead}' <<<"$lat_stats")"
echo "throughput: one ${burst} h step ($(jq -c '{created,paid,refunded,cancelledPaid}' <<<"$burst_json")): $delivered deliveries in ${t_delivered} ms = ${per_s}/s (concurrency $concurrency); facts = truth after ${t_facts} ms"
echo "            sandbox: $(jq -c '{delivered,failedAttempts,dead,pending}' <<<"$flush")"
echo "schedule: one scheduled run after the traffic took ${t_run} ms ($sched_line); drift after it: $drift"
echo "          every 15 min: payment -> facts uniform 0-900 s + the run: p50 ≈ $(( 450 + t_run / 1000 )) s, p99 ≈ $(( 891 + t_run / 1000 )) s"
echo "memory: receiver RSS ${rss_start} MB at start, ${rss_latency} MB after the latency phase, ${rss_burst} MB after the burst, peak ${peak_mb} MB (${lines} log lines)"
echo "receiver: $summary"
