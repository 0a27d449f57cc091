#!/usr/bin/env bash
# ./build.sh demo [--env-file FILE]: the scheduled load, end to end, on this machine and nothing else; then webhooks.
# Builds if needed, starts the bundled QTickets sandbox and a local ClickHouse 26.7, creates the database
# qtickets_demo, runs scripts/Invoke-QTicketsLoader.ps1 twice (a backfill, then an incremental run after the
# sandbox's clock moved 6 hours: new orders, refunds, cancellations), and shows per Moscow day what ClickHouse
# holds next to the sandbox's own truth; then the webhook receiver gets the sandbox's next sales within seconds,
# before any scheduled run. It stops everything it started. It never calls the real QTickets API:
# with real credentials configured (QTICKETS_TOKEN, or --env-file) it says how to run the loader against them.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 POWERSHELL_TELEMETRY_OPTOUT=1

DB=qtickets_demo
ADVANCE_HOURS=6
DAYS=10

say() { printf '%s\n' "$*"; }
step() { printf '\n== %s\n' "$*"; }
die() { printf 'demo: error: %s\n' "$*" >&2; exit 1; }

real_env=""
while [[ $# -gt 0 ]]; do
    case $1 in
        --env-file) [[ $# -ge 2 ]] || die "--env-file needs a file"; real_env=$2; shift 2 ;;
        --env-file=*) real_env=${1#--env-file=}; shift ;;
        -h | --help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option '$1' (--env-file FILE)" ;;
    esac
done

started=$SECONDS
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qtickets-demo.XXXXXX")
sandbox_pid=""
receiver_pid=""
ch_started=0
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [[ -n $receiver_pid ]]; then kill "$receiver_pid" 2>/dev/null || true; fi
    if [[ -n $sandbox_pid ]]; then
        kill "$sandbox_pid" 2>/dev/null || true
        wait "$sandbox_pid" 2>/dev/null || true
    fi
    if [[ $ch_started == 1 ]]; then "$root/build/clickhouse.sh" stop >/dev/null 2>&1 || true; fi
    rm -rf "$tmp"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- real credentials: explain, never use

if [[ -n ${QTICKETS_TOKEN:-}${QTICKETS_API_TOKEN:-} || -n $real_env ]]; then
    where=${real_env:-"QTICKETS_TOKEN in your environment"}
    cat <<EOF
Real QTickets credentials found ($where). This demo does not use them: it runs against the bundled
sandbox only. To load real sales into your ClickHouse:
  1. once, as a ClickHouse administrator: Initialize-QTicketsClickHouse -EnvFile admin.env -Grants -WriterUser etl_writer
  2. put QTICKETS_TOKEN, QTICKETS_BASE_URL and CLICKHOUSE_* (the writer) in a file readable only by you (chmod 600)
  3. try it without writing: pwsh -File scripts/Invoke-QTicketsLoader.ps1 -EnvFile FILE -DryRun -SinceHours 24
  4. then schedule the same command without -DryRun every 15 minutes (scripts/systemd, scripts/qtickets-loader.cron,
     scripts/Register-QTicketsLoaderTask.ps1; see README), and watch it with scripts/Test-QTicketsFreshness.ps1.
EOF
fi
# From here on only the sandbox and the local ClickHouse are talked to.
unset QTICKETS_TOKEN QTICKETS_API_TOKEN QTICKETS_BASE_URL QTICKETS_API_BASE_URL ${!CLICKHOUSE_@} ${!CH_@} DRY_RUN QTICKETS_DRY_RUN

command -v curl >/dev/null || die "curl is needed (apt-get install curl)"

# ---------------------------------------------------------------- build if needed

step "Build"
if [[ ! -f out/QTickets/QTickets.psd1 || ! -f out/sandbox/QTickets.Sandbox.dll ]] ||
    [[ -n $(find src module -type f \( -name '*.cs' -o -name '*.csproj' -o -name '*.psd1' -o -name '*.ps1xml' \) \
        -newer out/QTickets/QTickets.Cmdlets.dll -print -quit) ]]; then
    "$root/build.sh" build -clp:ErrorsOnly
else
    say "out/QTickets is up to date"
fi
# The scripts run in real pwsh 7.6: the one the build installs into the project's cache (out/tools.env names it).
"$root/build.sh" tools -clp:ErrorsOnly >/dev/null || die "pwsh 7.6.10 could not be installed from NuGet (./build.sh tools says why)"
# shellcheck source=/dev/null
. out/tools.env
pwsh() { "$QTICKETS_PWSH" -NoProfile -NonInteractive "$@"; }
say "pwsh $("$QTICKETS_PWSH" -NoProfile -Command '$PSVersionTable.PSVersion.ToString()') ($QTICKETS_PWSH)"

# ---------------------------------------------------------------- ClickHouse and the sandbox

step "Local ClickHouse 26.7"
if "$root/build/clickhouse.sh" status >/dev/null 2>&1; then
    say "using the running local ClickHouse ($("$root/build/clickhouse.sh" url)); it stays running"
else
    ch_started=1
    "$root/build/clickhouse.sh" start --owner-pid $$
fi
chenv=$("$root/build/clickhouse.sh" env)
ch() { sed -n "s/^$1=//p" "$chenv" | tail -n 1; }
query() { "$root/build/clickhouse.sh" query "$@"; }

step "QTickets sandbox"
token="demo-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
out/qtickets-sandbox --port 0 --seed 7 --orders 3000 --token "$token" >"$tmp/sandbox.out" 2>"$tmp/sandbox.err" &
sandbox_pid=$!
url=""
for _ in $(seq 1 600); do
    url=$(sed -n 's/^QTickets sandbox listening on //p' "$tmp/sandbox.out")
    [[ -n $url ]] && break
    kill -0 "$sandbox_pid" 2>/dev/null || { cat "$tmp/sandbox.err" >&2; die "the sandbox exited"; }
    sleep 0.1
done
[[ -n $url ]] || die "the sandbox did not start within 60 s"
control=${url%/api/rest/v1}
sandbox_now() { curl -sS "$control/_sandbox/clock" | sed -n 's/.*"now":"\([^"]*\)".*/\1/p'; }
say "listening on $url (3000 orders over 60 days, seed 7; now is $(sandbox_now))"

# ---------------------------------------------------------------- database and env files

step "Database $DB (dropped and created again as $(ch QTICKETS_CH_ADMIN_USER))"
umask 077
common="CLICKHOUSE_HOST=$(ch CLICKHOUSE_HOST)
CLICKHOUSE_PORT=$(ch CLICKHOUSE_PORT)
CLICKHOUSE_DB=$DB"
printf '%s\nCLICKHOUSE_USER=%s\nCLICKHOUSE_PASSWORD=%s\n' "$common" "$(ch QTICKETS_CH_ADMIN_USER)" "$(ch QTICKETS_CH_ADMIN_PASSWORD)" >"$tmp/admin.env"
printf 'QTICKETS_TOKEN=%s\nQTICKETS_BASE_URL=%s\n%s\nCLICKHOUSE_USER=%s\nCLICKHOUSE_PASSWORD=%s\n' \
    "$token" "$url" "$common" "$(ch CLICKHOUSE_USER)" "$(ch CLICKHOUSE_PASSWORD)" >"$tmp/qtickets.env"
query "DROP DATABASE IF EXISTS $DB SYNC" >/dev/null
pwsh -Command "Import-Module '$root/out/QTickets/QTickets.psd1'; Initialize-QTicketsClickHouse -EnvFile '$tmp/admin.env' -ErrorAction Stop | ForEach-Object { '  migration {0:D3} {1}: {2}' -f \$_.Version, \$_.Name, \$_.Outcome }"
if ! query "SELECT count() FROM $DB.qtickets_loader_state" --user writer >/dev/null 2>&1; then
    die "$(ch CLICKHOUSE_USER) may not use $DB on this ClickHouse: it was started before build/clickhouse.sh granted it. Restart it (build/clickhouse.sh stop) and run the demo again."
fi
say "the loader runs as $(ch CLICKHOUSE_USER) with $tmp/qtickets.env (mode 600, removed at the end)"

loader() { # loader LABEL: one scheduled run at the sandbox's now, its two lines as printed
    local now
    now=$(sandbox_now)
    step "$1 (scripts/Invoke-QTicketsLoader.ps1 -Now $now)"
    pwsh -File scripts/Invoke-QTicketsLoader.ps1 -EnvFile "$tmp/qtickets.env" -Now "$now" || die "the loader run failed (exit $?)"
}

# ---------------------------------------------------------------- the two runs

loader "Run 1: backfill (no watermark yet: the last 720 h)"
step "Sandbox clock +$ADVANCE_HOURS h"
moved=$(curl -sS -X POST -H 'Content-Type: application/json' -d "{\"seconds\":$((ADVANCE_HOURS * 3600))}" "$control/_sandbox/clock/advance")
field() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" <<<"$moved"; }
say "new orders $(field created), paid $(field paid), refunded $(field refunded), cancelled $(field cancelled) (of them paid before: $(field cancelledPaid)), orders changed $(field changedOrders)"
loader "Run 2: incremental (from the watermark minus the lookback)"

# ---------------------------------------------------------------- what a user wants to see

now=$(sandbox_now)
to=${now:0:10}
from=$(date -d "$to - $((DAYS - 1)) days" +%F)
step "Sales per Moscow day, $from .. $to: ClickHouse (read as $(ch QTICKETS_CH_READER_USER)) vs the sandbox's truth"
query "SELECT toString(d), orders, tickets, toString(revenue) FROM (
         SELECT toDate(sale_ts) AS d, countIf(tickets_sold > 0) AS orders FROM $DB.stg_qtickets_api_orders_raw FINAL
         WHERE toDate(sale_ts) BETWEEN toDate('$from') AND toDate('$to') GROUP BY d) AS o
       FULL OUTER JOIN (
         SELECT sales_date AS d, sum(tickets_sold) AS tickets, round(sum(revenue), 2) AS revenue FROM $DB.fact_qtickets_sales_daily FINAL
         WHERE sales_date BETWEEN toDate('$from') AND toDate('$to') GROUP BY d) AS f USING (d)
       ORDER BY d FORMAT TSV" --user reader >"$tmp/clickhouse.tsv"
curl -sS "$control/_sandbox/truth?from=$from&to=$to" |
    grep -o '{"date":"[^"]*","event_id":[0-9]*,"paid_orders":[0-9]*,"tickets":[0-9]*,"revenue":[0-9.]*}' |
    sed 's/{"date":"\([^"]*\)","event_id":[0-9]*,"paid_orders":\([0-9]*\),"tickets":\([0-9]*\),"revenue":\([0-9.]*\)}/\1\t\2\t\3\t\4/' \
        >"$tmp/truth.tsv" || true
for ((i = DAYS - 1; i >= 0; i--)); do date -d "$to - $i days" +%F; done >"$tmp/days.txt"
# Three inputs, told apart by file: the days, the truth (one row per day and event), ClickHouse (one per day).
awk -F'\t' '
    FILENAME ~ /days.txt$/ { day[++n] = $1; next }
    FILENAME ~ /truth.tsv$/ { o[$1] += $2; t[$1] += $3; r[$1] += $4; next }
    { co[$1] = $2; ct[$1] = $3; cr[$1] = $4 }
    END {
        printf "  %-10s %7s %8s %13s   %s\n", "day", "orders", "tickets", "revenue", "vs sandbox truth"
        bad = 0; so = 0; st = 0; sr = 0
        for (i = 1; i <= n; i++) {
            d = day[i]
            tr = sprintf("%.2f", r[d] + 0); chr = sprintf("%.2f", cr[d] + 0)
            if (co[d] + 0 == o[d] + 0 && ct[d] + 0 == t[d] + 0 && chr == tr) verdict = "matches"
            else { verdict = sprintf("DIFFERS: truth %d orders, %d tickets, %s", o[d], t[d], tr); bad++ }
            printf "  %-10s %7d %8d %13s   %s\n", d, co[d], ct[d], chr, verdict
            so += co[d]; st += ct[d]; sr += cr[d]
        }
        printf "  %-10s %7d %8d %13.2f   %s\n", "total", so, st, sr, (bad ? bad " day(s) differ" : "all days match")
        exit bad ? 1 : 0
    }' "$tmp/days.txt" "$tmp/truth.tsv" "$tmp/clickhouse.tsv" || mismatch=1

step "Runs recorded in $DB.meta_job_runs"
query "SELECT toString(started_at), status, rows_processed, JSONExtractString(metrics, 'window_start') AS window_start FROM $DB.meta_job_runs ORDER BY started_at FORMAT TSV" --user reader |
    awk -F'\t' '{ printf "  %s  %-5s %6d rows   window from %s\n", $1, $2, $3, $4 }'

# ---------------------------------------------------------------- webhooks: sales within seconds

step "Webhooks: the sandbox pushes each change to scripts/Start-QTicketsWebhookReceiver.ps1"
hook_port=$(shuf -i 20000-60000 -n 1)
hook_secret="demo-hook-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
printf 'QTICKETS_WEBHOOK_SECRET=%s\nQTICKETS_WEBHOOK_PORT=%s\n' "$hook_secret" "$hook_port" >>"$tmp/qtickets.env"
# pwsh itself, not the shell function: the PID to stop is the receiver's.
"$QTICKETS_PWSH" -NoProfile -NonInteractive -File scripts/Start-QTicketsWebhookReceiver.ps1 -EnvFile "$tmp/qtickets.env" >"$tmp/receiver.out" 2>"$tmp/receiver.err" &
receiver_pid=$!
for _ in $(seq 1 600); do grep -q 'listening on' "$tmp/receiver.out" 2>/dev/null && break; sleep 0.1; done
grep -q 'listening on' "$tmp/receiver.out" || { cat "$tmp/receiver.out" "$tmp/receiver.err" >&2; die "the webhook receiver did not start"; }
say "$(head -1 "$tmp/receiver.out")"
curl -sS -X POST -H 'Content-Type: application/json' "$control/_sandbox/webhooks" \
    -d "{\"url\":\"http://127.0.0.1:$hook_port/qtickets/webhook\",\"secret\":\"$hook_secret\"}" >/dev/null
# The days the table above shows: the backfill loaded 30 of the sandbox's 60 days, so older days are not compared.
facts_total() { query "SELECT sum(tickets_sold), round(sum(revenue), 2) FROM $DB.fact_qtickets_sales_daily FINAL WHERE sales_date >= toDate('$from') FORMAT TSV" --user reader; }
truth_total() { curl -sS "$control/_sandbox/truth?from=$from" | sed -n 's/.*"totals":{"paid_orders":[0-9]*,"tickets":\([0-9]*\),"revenue":\([0-9.]*\)}.*/\1\t\2/p' | awk -F'\t' '{printf "%d\t%.2f\n", $1, $2}'; }
paid_seen=0
for _ in $(seq 1 8); do
    before=$(sandbox_now)
    t0=$(date +%s%3N)
    moved=$(curl -sS -X POST -H 'Content-Type: application/json' -d '{"seconds":900}' "$control/_sandbox/clock/advance")
    want=$(truth_total); seen=""
    for _ in $(seq 1 1500); do
        [[ "$(facts_total | awk -F'\t' '{printf "%d\t%.2f\n", $1, $2}')" == "$want" ]] && { seen=$(( $(date +%s%3N) - t0 )); break; }
        sleep 0.02
    done
    [[ -n $seen ]] || die "the daily facts did not follow the webhooks within 30 s"
    paid=$(field paid)
    say "  sandbox clock $before +15 min: $paid paid, $(field refunded) refunded -> in fact_qtickets_sales_daily after $seen ms"
    query "SELECT order_id, toString(sale_ts), tickets_sold, toString(revenue) FROM $DB.stg_qtickets_api_orders_raw FINAL
           WHERE sale_ts > toDateTime('${before:0:10} ${before:11:8}') ORDER BY sale_ts FORMAT TSV" --user reader |
        awk -F'\t' '{ printf "      order %s paid %s: %d ticket(s), %s\n", $1, $2, $3, $4 }'
    paid_seen=$((paid_seen + paid))
    [[ $paid_seen -ge 3 ]] && break
done
kill -TERM "$receiver_pid"; wait "$receiver_pid" 2>/dev/null || true
say "  $(tail -1 "$tmp/receiver.out")"
say "  (no scheduled run in between: each sale was in the daily facts within seconds of its payment)"

printf '\nDone in %d s. Data stays in ClickHouse database %s; dashboards read fact_qtickets_sales_daily and the v_* views.\n' "$((SECONDS - started))" "$DB"
[[ -z ${mismatch:-} ]] || die "ClickHouse differs from the sandbox's truth (see above)"
