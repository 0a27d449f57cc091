# Shared helpers of the bench/*.sh scripts (sourced, not run).
#   - a private ClickHouse 26.7 (build/clickhouse.sh with its own folder and ports, stopped with the script),
#     unless BENCH_CH_ENV names the dotenv of a running one;
#   - measure: wall, user+sys CPU and peak RSS (ru_maxrss = VmHWM of the measured process) via /usr/bin/time;
#   - admin SQL over HTTP.
# Needs: curl, /usr/bin/time (apt-get install time), dotnet; the module built (./build.sh build).

bench_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
QT_OUT="${QTICKETS_OUT:-$bench_root/out}"
BENCH_TMP="$(mktemp -d /tmp/qtbench.XXXXXX)"
bench_pids=()
bench_ch_started=0

bench_cleanup() {
  local s=$?
  for p in "${bench_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ "$bench_ch_started" = 1 ]; then
    QTICKETS_CH_DIR="$BENCH_TMP/ch" "$bench_root/build/clickhouse.sh" stop >/dev/null 2>&1 || true
  fi
  if [ -n "${BENCH_KEEP:-}" ]; then echo "kept $BENCH_TMP" >&2; else rm -rf "$BENCH_TMP"; fi
  exit $s
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is needed (apt-get install time)" >&2; exit 1; }
[ -f "$QT_OUT/QTickets/QTickets.psd1" ] || { echo "bench: $QT_OUT/QTickets missing: run ./build.sh build" >&2; exit 1; }
# The pinned pwsh 7.6.10 the build installs into the project's cache (out/tools.env names it).
[ -f "$QT_OUT/tools.env" ] || "$(dirname "${BASH_SOURCE[0]}")/../build.sh" tools -clp:ErrorsOnly >/dev/null
# shellcheck source=/dev/null
. "$QT_OUT/tools.env"
PWSH=$QTICKETS_PWSH
export POWERSHELL_TELEMETRY_OPTOUT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Starts a private ClickHouse (or uses BENCH_CH_ENV) and sets CH_URL, CH_ADMIN_USER, CH_ADMIN_PASSWORD, CH_ENV.
bench_clickhouse() {
  if [ -n "${BENCH_CH_ENV:-}" ]; then
    CH_ENV="$BENCH_CH_ENV"
  else
    QTICKETS_CH_DIR="$BENCH_TMP/ch" QTICKETS_CH_HTTP_PORT="${BENCH_CH_HTTP_PORT:-38123}" \
      QTICKETS_CH_TCP_PORT="${BENCH_CH_TCP_PORT:-39000}" \
      "$bench_root/build/clickhouse.sh" start --owner-pid $$ >/dev/null
    bench_ch_started=1
    CH_ENV="$BENCH_TMP/ch/clickhouse.env"
  fi
  local host port
  host="$(sed -n 's/^CLICKHOUSE_HOST=//p' "$CH_ENV" | tail -1)"
  port="$(sed -n 's/^CLICKHOUSE_PORT=//p' "$CH_ENV" | tail -1)"
  CH_URL="http://$host:$port"
  CH_ADMIN_USER="$(sed -n 's/^QTICKETS_CH_ADMIN_USER=//p' "$CH_ENV" | tail -1)"
  CH_ADMIN_PASSWORD="$(sed -n 's/^QTICKETS_CH_ADMIN_PASSWORD=//p' "$CH_ENV" | tail -1)"
}

# ch_sql "<sql>" [stdin-file]: admin query; prints the answer.
ch_sql() {
  if [ -n "${2:-}" ]; then
    curl -sS --fail-with-body -u "$CH_ADMIN_USER:$CH_ADMIN_PASSWORD" "$CH_URL/?query=$(jq -rn --arg q "$1" '$q|@uri')" --data-binary @"$2"
  else
    curl -sS --fail-with-body -u "$CH_ADMIN_USER:$CH_ADMIN_PASSWORD" "$CH_URL/" --data-binary "$1"
  fi
}

# bench_envfile <db> <file>: a module env file that connects as the admin to database <db>.
bench_envfile() {
  local host port
  host="$(sed -n 's/^CLICKHOUSE_HOST=//p' "$CH_ENV" | tail -1)"
  port="$(sed -n 's/^CLICKHOUSE_PORT=//p' "$CH_ENV" | tail -1)"
  umask 077
  cat >"$2" <<EOF
CLICKHOUSE_HOST=$host
CLICKHOUSE_PORT=$port
CLICKHOUSE_DB=$1
CLICKHOUSE_USER=$CH_ADMIN_USER
CLICKHOUSE_PASSWORD=$CH_ADMIN_PASSWORD
EOF
}

# bench_schema <db>: drop and create <db> with the module's schema (Initialize-QTicketsClickHouse as admin).
bench_schema() {
  ch_sql "DROP DATABASE IF EXISTS $1 SYNC" >/dev/null
  bench_envfile "$1" "$BENCH_TMP/$1.env"
  "$PWSH" -NoProfile -Command "
    Import-Module '$QT_OUT/QTickets/QTickets.psd1'
    Initialize-QTicketsClickHouse -EnvFile '$BENCH_TMP/$1.env' -ErrorAction Stop | Out-Null" >/dev/null
}

# measure <label> <cmd...>: runs cmd; sets M_WALL M_CPU M_RSS_MB (peak RSS of the process itself; for a shell
# pipeline, of its largest member) and keeps its stdout in $BENCH_TMP/<label>.out.
measure() {
  local label="$1"; shift
  /usr/bin/time -f '%e %U %S %M' -o "$BENCH_TMP/$label.time" "$@" >"$BENCH_TMP/$label.out" 2>"$BENCH_TMP/$label.err" || {
    echo "bench: $label failed:" >&2; tail -20 "$BENCH_TMP/$label.err" >&2; tail -5 "$BENCH_TMP/$label.out" >&2; return 1; }
  read -r M_WALL u s rss < <(tail -1 "$BENCH_TMP/$label.time")
  M_CPU="$(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u+s}')"
  M_RSS_MB="$(awk -v k="$rss" 'BEGIN{printf "%.0f", k/1024}')"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "n/a" }'; }

# bench_sandbox <orders> <faults-json> [more sandbox options...]: starts the bundled sandbox (virtual now
# 2026-11-20 12:00 MSK, 60 days of orders, PER_PAGE orders a page, default 200) on a free port; sets SB_URL, SB_TOKEN,
# SB_PID, SB_CONTROL (the /_sandbox base). Stopped with the script.
bench_sandbox() {
  local orders="$1" faults="$2"; shift 2
  local out="$BENCH_TMP/sandbox.out"
  SB_TOKEN="bench-$RANDOM$RANDOM$RANDOM"
  "$QT_OUT/qtickets-sandbox" --port 0 --token "$SB_TOKEN" --seed "${SEED:-7}" --orders "$orders" --history-days 60 \
    --now 2026-11-20T12:00:00+03:00 --default-per-page "${PER_PAGE:-200}" --faults "$faults" "$@" >"$out" 2>"$BENCH_TMP/sandbox.err" &
  SB_PID=$!; bench_pids+=("$SB_PID")
  for _ in $(seq 1200); do [ -s "$out" ] && break; sleep 0.1; done
  SB_URL="$(head -1 "$out" | sed 's/^QTickets sandbox listening on //')"
  [ -n "$SB_URL" ] || { echo "bench: sandbox did not start" >&2; cat "$BENCH_TMP/sandbox.err" >&2; exit 1; }
  SB_CONTROL="${SB_URL%/api/rest/v1}/_sandbox"
}

# bench_read_orders <label> <extra Get-QTicketsOrder parameters>: reads every order of the bench sandbox (changed since
# 2026-01-01, unpaid and cancelled included: what a backfill reads) with Get-QTicketsOrder in its own pwsh process.
# Sets R_SECONDS (inside the engine, around the command only), R_TOTALS ("<orders> <sum of ids> <sum of prices>"),
# R_USED (the client's last "pages in flight" verbose line), R_CHANGES (its verbose lines that changed the limit).
bench_read_orders() {
  local label="$1"; shift
  # Measure-Object (compiled) totals the orders and the verbose stream goes to a file: no PowerShell script runs per
  # order, so the figure is the client's, not the scripting's.
  measure "$label" "$PWSH" -NoProfile -Command "
    Import-Module '$QT_OUT/QTickets/QTickets.psd1'
    \$w = [Diagnostics.Stopwatch]::StartNew()
    \$m = Get-QTicketsOrder -Token '$SB_TOKEN' -BaseUrl '$SB_URL' -UpdatedSince '2026-01-01T00:00:00+03:00' -IncludeUnpaid -IncludeCancelled $* -Verbose 4>'$BENCH_TMP/$label.verbose' |
      Measure-Object -Property Id, Price -Sum
    [Console]::WriteLine(('{0:0.000} {1} {2} {3}' -f \$w.Elapsed.TotalSeconds, \$m[0].Count, \$m[0].Sum, \$m[1].Sum.ToString('0.00', [Globalization.CultureInfo]::InvariantCulture)))"
  read -r R_SECONDS n ids price < <(head -1 "$BENCH_TMP/$label.out")
  R_TOTALS="$n $ids $price"
  R_USED="$(grep '^Read orders from' "$BENCH_TMP/$label.verbose" | tail -1 | sed 's/.*so far this client used //')"
  R_CHANGES="$(grep -c '^Pages in flight [0-9]* -> ' "$BENCH_TMP/$label.verbose" || true)"
}

# sandbox_stat <jq path>: a figure of GET /_sandbox/stats (0 when absent).
sandbox_stat() { curl -sS "$SB_CONTROL/stats" | jq -r "try ($1 // 0) catch 0"; } # an empty map is served as []

# bench_receiver DB TOKEN SANDBOX_URL SECRET PORT NOW: DB's env file with the webhook settings, the scheduled backfill
# (its first line printed), then scripts/Start-QTicketsWebhookReceiver.ps1 in the background until it listens.
# Sets ENV_FILE and RECEIVER_PID (the pwsh process is the receiver itself: no child process serves).
bench_receiver() {
  ENV_FILE="$BENCH_TMP/$1.env"
  printf 'QTICKETS_TOKEN=%s\nQTICKETS_BASE_URL=%s\nQTICKETS_WEBHOOK_SECRET=%s\nQTICKETS_WEBHOOK_PORT=%s\n' "$2" "$3" "$4" "$5" >>"$ENV_FILE"
  "$PWSH" -NoProfile -File "$bench_root/scripts/Invoke-QTicketsLoader.ps1" -EnvFile "$ENV_FILE" -Now "$6" >"$BENCH_TMP/backfill.out"
  head -1 "$BENCH_TMP/backfill.out"
  "$PWSH" -NoProfile -File "$bench_root/scripts/Start-QTicketsWebhookReceiver.ps1" -EnvFile "$ENV_FILE" >"$BENCH_TMP/receiver.out" 2>"$BENCH_TMP/receiver.err" &
  RECEIVER_PID=$!; bench_pids+=("$RECEIVER_PID")
  for _ in $(seq 600); do grep -q 'listening on' "$BENCH_TMP/receiver.out" 2>/dev/null && break; sleep 0.1; done
}
