#!/usr/bin/env bash
# Soak: the scheduled loader N times against the sandbox with an advancing clock (15 min per run: new orders,
# payments, refunds, cancellations) and random faults (intermittent 503s, 429s, resets; 10% of runs a hard outage
# that fails the run), then one fault-free run and a reconciliation of the whole loaded range. Not part of any
# test run. Results: a TSV per run (exit code, ms, peak RSS) and a summary on stdout (see BENCHMARKS.md "Soak").
#
#   bench/soak.sh [--runs N] [--mode process|inproc] [--seed S]
#     process  every run is its own `pwsh -File scripts/Invoke-QTicketsLoader.ps1` process, as cron
#              runs it; peak RSS = that process's VmHWM (~1.5 s per run of process start alone)
#     inproc   all runs in one engine (bench/soak-inproc.ps1): the quick check; peak RSS per run via clear_refs
# Needs ./build.sh build, curl, python3; uses the running build/clickhouse.sh server or starts one for itself.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=1000 mode=process seed=1
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --mode) mode=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    *) echo "soak.sh: unknown option $1" >&2; exit 64 ;;
  esac
done
[ "$mode" = process ] || [ "$mode" = inproc ] || { echo "soak.sh: --mode process|inproc" >&2; exit 64; }
[ -f "$root/out/QTickets/QTickets.psd1" ] || { echo "soak.sh: run ./build.sh build first" >&2; exit 1; }

work=$(mktemp -d /tmp/qt-soak.XXXXXX)
sandbox_pid=
started_ch=0
cleanup() {
  [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null || true
  [ -n "${db:-}" ] && [ "${KEEP_DB:-0}" != 1 ] && "$root/build/clickhouse.sh" query "DROP DATABASE IF EXISTS $db SYNC" >/dev/null 2>&1 || true
  [ "$started_ch" = 1 ] && "$root/build/clickhouse.sh" stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! "$root/build/clickhouse.sh" status >/dev/null 2>&1; then
  "$root/build/clickhouse.sh" start --owner-pid $$ >/dev/null; started_ch=1
fi
set -a; . "$("$root/build/clickhouse.sh" env)"; set +a
ch() { "$root/build/clickhouse.sh" query "$1"; }

# The sandbox: 1500 orders over the 20 days before its now (inside the loader's 720 h initial backfill).
start_now="2026-11-20T12:00:00+03:00"
"$root/out/qtickets-sandbox" --port 0 --token soak-token --seed "$seed" --orders 1500 --history-days 20 --now "$start_now" \
  > "$work/sandbox.out" 2> "$work/sandbox.err" &
sandbox_pid=$!
for _ in $(seq 1 120); do grep -q "listening on" "$work/sandbox.out" 2>/dev/null && break; sleep 0.25; done
base=$(sed -n 's/^QTickets sandbox listening on //p' "$work/sandbox.out" | head -1)
[ -n "$base" ] || { echo "soak.sh: the sandbox did not start" >&2; cat "$work/sandbox.err" >&2; exit 1; }
rooturl=${base%%/api/*}

db="qt_soak_$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
ch "CREATE DATABASE $db" >/dev/null
env_file="$work/qtickets.env"
umask 077
cat > "$env_file" <<ENV
QTICKETS_TOKEN=soak-token
QTICKETS_BASE_URL=$base
CLICKHOUSE_HOST=$CLICKHOUSE_HOST
CLICKHOUSE_PORT=$CLICKHOUSE_PORT
CLICKHOUSE_DB=$db
CLICKHOUSE_USER=$QTICKETS_CH_ADMIN_USER
CLICKHOUSE_PASSWORD=$QTICKETS_CH_ADMIN_PASSWORD
ENV
pwsh_=("$root/build.sh" pwsh)
"${pwsh_[@]}" -Command "Import-Module '$root/out/QTickets/QTickets.psd1'; Initialize-QTicketsClickHouse -EnvFile '$env_file' | Out-Null"

results="$work/runs.tsv"
t0=$(date +%s)
if [ "$mode" = inproc ]; then
  "${pwsh_[@]}" -File "$root/bench/soak-inproc.ps1" -EnvFile "$env_file" -Root "$rooturl" -Runs "$runs" -Seed "$seed" \
    -LockPath "$work/load.lock" > "$results"
else
  RANDOM=$seed
  for i in $(seq 1 "$runs"); do
    now=$(curl -sf -X POST "$rooturl/_sandbox/clock/advance" -H 'Content-Type: application/json' -d '{"seconds":900}' \
          | python3 -c 'import json,sys; print(json.load(sys.stdin)["now"])')
    roll=$((RANDOM % 100))
    if [ $roll -lt 60 ]; then spec='{}'
    elif [ $roll -lt 90 ]; then spec="{\"seed\":$RANDOM,\"rules\":[{\"type\":\"503\",\"probability\":0.08},{\"type\":\"429\",\"probability\":0.04,\"retryAfter\":1},{\"type\":\"reset\",\"probability\":0.02}]}"
    else spec="{\"seed\":$RANDOM,\"rules\":[{\"type\":\"503\",\"probability\":0.9}]}"; fi
    curl -sf -X POST "$rooturl/_sandbox/faults" -H 'Content-Type: application/json' -d "$spec" >/dev/null
    s=$(date +%s%N)
    set +e
    out=$(XDG_RUNTIME_DIR=$work "${pwsh_[@]}" -Command "& '$root/scripts/Invoke-QTicketsLoader.ps1' -EnvFile '$env_file' -Now '$now'; \$c = \$LASTEXITCODE; foreach (\$l in [IO.File]::ReadAllLines('/proc/self/status')) { if (\$l.StartsWith('VmHWM:')) { 'HWM ' + (\$l -replace '[^0-9]', '') } }; exit \$c")
    code=$?
    set -e
    ms=$(( ($(date +%s%N) - s) / 1000000 ))
    hwm=$(sed -n 's/^HWM //p' <<<"$out")
    orders=$(sed -n 's/.*"orders":\([0-9]*\).*/\1/p' <<<"$out" | head -1)
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$i" "$code" "$ms" "$hwm" "" "${orders:-}" >> "$results"
  done
fi
t1=$(date +%s)

# One fault-free run (what the next scheduled run does after the last failure), then the checks.
curl -sf -X DELETE "$rooturl/_sandbox/faults" >/dev/null
final_now=$(curl -sf "$rooturl/_sandbox/clock" | python3 -c 'import json,sys; print(json.load(sys.stdin)["now"])')
XDG_RUNTIME_DIR=$work "${pwsh_[@]}" -File "$root/scripts/Invoke-QTicketsLoader.ps1" -EnvFile "$env_file" -Now "$final_now" > "$work/final-load.txt" || true
from_day=2026-10-31   # the loader's first window starts 2026-10-21 12:00 MSK; the sandbox's orders begin 2026-10-31
to_day=${final_now:0:10}
set +e
XDG_RUNTIME_DIR=$work "${pwsh_[@]}" -File "$root/scripts/Invoke-QTicketsReconcile.ps1" -EnvFile "$env_file" -Now "$final_now" \
  -From "$from_day" -To "$to_day" > "$work/reconcile.txt"
reconcile_exit=$?
set -e

# Orders with a payment time in the loaded range, counted by paging the API directly (not through the module),
# against staging FINAL rows whose sale_ts falls in the same range.
api_orders=$(python3 - "$base" "$from_day" "$final_now" <<'PY'
import json, sys, urllib.request
base, start, end = sys.argv[1], sys.argv[2] + "T00:00:00+03:00", sys.argv[3]
n, page = 0, 1
while True:
    body = json.dumps({"where": [{"column": "payed_at", "operator": ">=", "value": start},
                                 {"column": "payed_at", "operator": "<", "value": end}],
                       "orderBy": {"id": "asc"}, "per_page": 1000, "page": page}).encode()
    req = urllib.request.Request(base + "/orders", data=body, method="GET",
                                 headers={"Authorization": "Bearer soak-token", "Content-Type": "application/json"})
    data = json.load(urllib.request.urlopen(req))["data"]
    n += sum(1 for o in data if o.get("payed_at"))
    if len(data) < 1000: break
    page += 1
print(n)
PY
)
end_wall=$(python3 -c 'import sys,datetime; t=datetime.datetime.fromisoformat(sys.argv[1]); print(t.astimezone(datetime.timezone(datetime.timedelta(hours=3))).strftime("%Y-%m-%d %H:%M:%S"))' "$final_now")
ch_orders=$(ch "SELECT count() FROM $db.stg_qtickets_api_orders_raw FINAL WHERE sale_ts >= '$from_day 00:00:00' AND sale_ts < '$end_wall'")
ch_total=$(ch "SELECT count() FROM $db.stg_qtickets_api_orders_raw FINAL")

python3 - "$results" "$mode" "$runs" "$((t1 - t0))" "$reconcile_exit" "$api_orders" "$ch_orders" "$ch_total" "$final_now" <<'PY'
import sys, statistics
path, mode, runs, secs, rexit, api, chn, cht, final_now = sys.argv[1:]
rows = [l.rstrip("\n").split("\t") for l in open(path) if l.strip()]
codes = {}
for r in rows: codes[r[1]] = codes.get(r[1], 0) + 1
hwm = [int(r[3]) for r in rows if r[3]]
ms = [int(r[2]) for r in rows]
def band(xs): return f"median {statistics.median(xs)/1024:.1f} MB, max {max(xs)/1024:.1f} MB" if xs else "n/a"
k = min(100, len(hwm) // 2) or len(hwm)
print(f"mode={mode} runs={len(rows)} of {runs} in {secs} s (median run {statistics.median(ms):.0f} ms); final sandbox now {final_now}")
print("exit codes: " + ", ".join(f"{c}: {n}" for c, n in sorted(codes.items())))
print(f"peak RSS first {k} runs: {band(hwm[:k])}; last {k} runs: {band(hwm[-k:])}")
print(f"final reconciliation exit {rexit}")
print(f"orders with a payment time in the loaded range: sandbox {api}, staging FINAL {chn} (staging FINAL total {cht})")
PY
cat "$work/reconcile.txt"
[ "$reconcile_exit" = 0 ] && [ "$api_orders" = "$ch_orders" ]
