#!/usr/bin/env bash
# Module import cost and size (BENCHMARKS.md, "Module import and size"). Needs ./build.sh build.
#   bench/import-time.sh [runs=10]
# Cold: a fresh pwsh 7.6 process (./build.sh pwsh) running `Import-Module QTickets` minus one running `1` (engine start
# excluded), median of N. Warm: inside one process, Import-Module in a second fresh runspace after a first import.
# Size: du of out/QTickets. QTICKETS_OUT=<dir> uses a build laid out elsewhere instead of out/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${QTICKETS_OUT:-$root/out}"
runs="${1:-10}"
export POWERSHELL_TELEMETRY_OPTOUT=1 NO_COLOR=1
export PSModulePath="$out${PSModulePath:+:$PSModulePath}"  # Import-Module QTickets by name finds out/QTickets

median_ms() { # command... -> median wall time in ms over $runs runs (one warm-up run first)
  "$@" >/dev/null 2>&1
  for _ in $(seq "$runs"); do
    s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N)
    echo $(( (e - s) / 1000000 ))
  done | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

base=$(median_ms "$root/build.sh" pwsh -NoProfile -Command '1')
import=$(median_ms "$root/build.sh" pwsh -NoProfile -Command 'Import-Module QTickets')
first_call=$(median_ms "$root/build.sh" pwsh -NoProfile -Command 'Import-Module QTickets; $null = Get-QTicketsConfig -Token bench-token-0000')
echo "process with -Command '1':                   ${base} ms (median of $runs)"
echo "process with -Command 'Import-Module QTickets': ${import} ms"
echo "cold import (difference):                    $(( import - base )) ms"
echo "cold import + first cmdlet (Get-QTicketsConfig): $(( first_call - base )) ms"

"$root/build.sh" pwsh -NoProfile -Command '
$sw = [System.Diagnostics.Stopwatch]::StartNew()
Import-Module QTickets
$first = $sw.Elapsed.TotalMilliseconds
$times = foreach ($i in 1..5) {
    $rs = [runspacefactory]::CreateRunspace([initialsessionstate]::CreateDefault2())
    $rs.Open()
    $ps = [powershell]::Create($rs)
    $null = $ps.AddScript("Import-Module QTickets")
    $sw.Restart()
    $null = $ps.Invoke()
    $sw.Elapsed.TotalMilliseconds
    $ps.Dispose(); $rs.Dispose()
}
[Array]::Sort($times)
"in-process first import (engine already up):  {0:0} ms" -f $first
"warm import, fresh runspace (median of 5):    {0:0.0} ms" -f $times[2]
'
echo "size of out/QTickets: $(du -sh "$out/QTickets" | cut -f1) ($(du -sk "$out/QTickets" | cut -f1) KiB; dependencies/ $(du -sk "$out/QTickets/dependencies" | cut -f1) KiB, en-US/ $(du -sk "$out/QTickets/en-US" | cut -f1) KiB, $(find "$out/QTickets" -type f | wc -l) files)"
[ -f "$out/package/QTickets.0.1.0.nupkg" ] && echo "nupkg: $(du -k "$out"/package/QTickets.*.nupkg | cut -f1) KiB" || true
