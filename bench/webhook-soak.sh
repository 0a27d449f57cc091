#!/usr/bin/env bash
# The webhook receiver under steady traffic for a long time (issue 19: "memory flat over an hour of traffic").
# One sandbox (seeded world, backfilled into a fresh database by the scheduled loader first), one receiver process
# (scripts/Start-QTicketsWebhookReceiver.ps1 under pwsh 7.6), one ClickHouse, same machine as bench/webhook.sh.
#
# Every second the sandbox's clock moves STEP_SECONDS virtual seconds at RATE new orders a virtual hour; the step's
# changes are delivered at once (created, payed, expired, refunded ... as QTickets sends them). The defaults give
# about 40 deliveries a second at first and 60-70 once the first unpaid orders start to expire (after ~5 minutes):
# steady, far below the receiver's burst throughput, so the run measures how memory behaves over time and leaves the
# machine's other work its CPU.
# Every SAMPLE seconds: the receiver's VmRSS and the deliveries so far; with dotnet-counters (DOTNET_COUNTERS names it,
# or it is on PATH; `dotnet tool install --tool-path DIR dotnet-counters`) also its GC heap size, which
# dotnet-counters writes when the receiver stops, so that series is printed at the end. At the end: the deliveries are flushed and the daily facts must
# equal the sandbox truth row by row (day, event: tickets and revenue), with no delivery dead. Prints the series, the
# medians of the first and last 10 minutes (of the first and last sixth on runs shorter than an hour) and the
# least-squares slope of RSS in MB/hour.
#
#   DURATION=3600 bench/webhook-soak.sh
# env: DURATION (3600), SAMPLE (60), RATE (36000), STEP_SECONDS (4), SEED (23); BENCH_CH_ENV (a running
#      ClickHouse's dotenv; default: a private one on BENCH_CH_HTTP_PORT/BENCH_CH_TCP_PORT, started and stopped here)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

duration="${DURATION:-3600}"; sample="${SAMPLE:-60}"; rate="${RATE:-36000}"; step="${STEP_SECONDS:-4}"; seed="${SEED:-23}"
now="2026-11-20T12:00:00+03:00"
token="bench-$RANDOM$RANDOM$RANDOM"; secret="bench-webhook-$RANDOM$RANDOM$RANDOM$RANDOM"
db=qt_bench_webhook_soak
bench_clickhouse
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18098)"
counters="${DOTNET_COUNTERS:-$(command -v dotnet-counters || true)}"

out="$BENCH_TMP/sandbox.out"
"$QT_OUT/qtickets-sandbox" --port 0 --token "$token" --seed "$seed" --orders 2000 --history-days 20 --now "$now" --rate "$rate" \
  --webhook-url "http://127.0.0.1:$port/qtickets/webhook" --webhook-secret "$secret" >"$out" 2>"$BENCH_TMP/sandbox.err" &
bench_pids+=("$!")
for _ in $(seq 600); do [ -s "$out" ] && break; sleep 0.1; done
sb="$(head -1 "$out" | sed 's/^QTickets sandbox listening on //')"; root="${sb%/api/rest/v1}"
ctl() { curl -sS --fail-with-body -X "$1" "$root$2" -H 'Content-Type: application/json' ${3:+--data-binary "$3"}; }

bench_schema "$db"
bench_receiver "$db" "$token" "$sb" "$secret" "$port" "$now"
env="$ENV_FILE"; rpid="$RECEIVER_PID"
rss() { awk '/VmRSS/{printf "%.1f", $2/1024}' "/proc/$rpid/status"; }
hwm() { awk '/VmHWM/{printf "%.0f", $2/1024}' "/proc/$rpid/status"; }
cpid=""
if [ -n "$counters" ]; then
  # gc-heap-size (MB) as the runtime reports it, every SAMPLE seconds; the CSV is complete once the receiver exits.
  "$counters" collect --process-id "$rpid" --refresh-interval "$sample" --format csv -o "$BENCH_TMP/counters.csv" \
    --counters 'System.Runtime[gc-heap-size]' >"$BENCH_TMP/counters.out" 2>&1 &
  cpid=$!; bench_pids+=("$cpid")
fi
delivered() { ctl GET /_sandbox/webhooks | jq -r .delivered; }

echo "soak: ${duration} s, one clock step of ${step} virtual s a second at ${rate} orders/virtual h; samples every ${sample} s"
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%8s %10s %12s %10s\n' t_s rss_mb delivered per_s
: >"$BENCH_TMP/series"
start="$(date +%s)"; next_sample="$start"; last_n="$(delivered)"; last_t="$start"; n0="$last_n"
sample_now() {
  local t n; t="$(date +%s)"; n="$(delivered)"
  local rate_s; rate_s="$(awk -v a="$n" -v b="$last_n" -v dt=$((t - last_t)) 'BEGIN{ if (dt > 0) printf "%.1f", (a-b)/dt; else print "-" }')"
  local line; line="$(printf '%8d %10s %12d %10s' $((t - start)) "$(rss)" $((n - n0)) "$rate_s")"
  echo "$line"; echo "$line" >>"$BENCH_TMP/series"
  last_n="$n"; last_t="$t"
}
while :; do
  t="$(date +%s)"
  [ "$t" -ge "$next_sample" ] && { sample_now; next_sample=$((next_sample + sample)); }
  [ $((t - start)) -ge "$duration" ] && break
  kill -0 "$rpid" 2>/dev/null || { echo "bench: the receiver died" >&2; tail -20 "$BENCH_TMP/receiver.err" >&2; exit 1; }
  tick="$(date +%s%N)"
  ctl POST /_sandbox/clock/advance "{\"seconds\":$step}" >/dev/null
  # One step a second, whatever the step took (a slow step is not made up for: the rate stays steady).
  left=$(( 1000000000 - ($(date +%s%N) - tick) ))
  [ "$left" -gt 0 ] && sleep "$(awk -v n="$left" 'BEGIN{printf "%.3f", n/1e9}')"
done

flush="$(ctl POST /_sandbox/webhooks/flush)"
sample_now
# Facts equal to the truth, row by row, once the last batched recomputation has run (up to 120 s).
truth_rows() { ctl GET /_sandbox/truth | jq -r '.rows[] | "\(.date) \(.event_id) \(.tickets) \(.revenue)"' | awk '{printf "%s %s %d %.2f\n", $1, $2, $3, $4}' | sort; }
fact_rows() {
  ch_sql "SELECT sales_date, event_id, sum(tickets_sold), round(sum(revenue), 2) FROM $db.fact_qtickets_sales_daily FINAL
          GROUP BY sales_date, event_id HAVING sum(tickets_sold) > 0 OR sum(revenue) != 0 FORMAT TSV" |
    awk '{printf "%s %s %d %.2f\n", $1, $2, $3, $4}' | sort
}
want_rows="$(truth_rows | awk '$3 > 0 || $4 != 0')"
lost="unknown"
for _ in $(seq 240); do
  if [ "$(fact_rows)" = "$want_rows" ]; then lost=none; break; fi
  sleep 0.5
done
if [ "$lost" != none ]; then
  lost="$(diff <(echo "$want_rows") <(fact_rows) | grep -c '^[<>]') differing (day, event) rows"
fi
peak="$(hwm)"
kill -TERM "$rpid"; wait "$rpid" || true
summary="$(tail -1 "$BENCH_TMP/receiver.out")"
[ -n "$cpid" ] && { wait "$cpid" || true; }

minutes_window=600; [ "$duration" -lt 3600 ] && minutes_window=$((duration / 6))
stats="$(awk -v w="$minutes_window" -v end="$duration" '
  function median(a, n,   i, j, t) { for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j+1] = a[j]; a[j+1] = t }
                                      return n == 0 ? "-" : (n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2) }
  { t = $1; r = $2; n++; sx += t; sy += r; sxx += t*t; sxy += t*r
    if (t <= w) f[++nf] = r; if (t >= end - w) l[++nl] = r }
  END { slope = (n > 1 && n*sxx - sx*sx != 0) ? (n*sxy - sx*sy) / (n*sxx - sx*sx) * 3600 : 0
        printf "first %d s median %s MB, last %d s median %s MB, slope %.1f MB/hour", w, median(f, nf), w, median(l, nl), slope }' "$BENCH_TMP/series")"
heap="without dotnet-counters: not measured"
if [ -s "$BENCH_TMP/counters.csv" ]; then
  # One row every SAMPLE seconds from the receiver's start: row i is at about i*SAMPLE s.
  heap="$(awk -F, -v s="$sample" -v w="$minutes_window" -v end="$duration" '
    function median(a, n,   i, j, t) { for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j+1] = a[j]; a[j+1] = t }
                                        return n == 0 ? "-" : (n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2) }
    /GC Heap Size/ { t = i * s; i++; v = $NF + 0; series = series sprintf(" %.1f", v)
                     if (t <= w) f[++nf] = v; if (t >= end - w) l[++nl] = v }
    END { printf "GC heap (MB, every %d s):%s; first %d s median %.1f MB, last %d s median %.1f MB", s, series, w, median(f, nf), w, median(l, nl) }' \
    "$BENCH_TMP/counters.csv")"
fi

echo
echo "soak: $(( $(delivered) - n0 )) deliveries in ${duration} s ($(awk -v n="$(( $(delivered) - n0 ))" -v d="$duration" 'BEGIN{printf "%.1f", n/d}')/s); sandbox: $(jq -c '{delivered,failedAttempts,dead,pending}' <<<"$flush")"
echo "lost: $lost (daily facts vs sandbox truth per day and event)"
echo "memory: receiver RSS $stats; peak (VmHWM) ${peak} MB"
echo "        $heap"
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "receiver: $summary"
[ "$lost" = none ] && [ "$(jq -r .dead <<<"$flush")" = 0 ]
