#!/usr/bin/env bash
# Build, test and run QTickets.PowerShell on a machine with the .NET SDK (pwsh and Pester are fetched by the build).
#   ./build.sh build          compile and lay out out/QTickets (the module) and out/qtickets-sandbox
#   ./build.sh tools          install pwsh 7.6.10 and Pester 5.9.1 from NuGet into the project's cache (out/tools.env
#                             names them); test, demo, package and the benchmarks do this themselves
#   ./build.sh pwsh ARGS...   run that pwsh (e.g. ./build.sh pwsh -File scripts/Invoke-QTicketsLoader.ps1 ...)
#   ./build.sh test           build, start a local ClickHouse 26.7, run xunit and the whole Pester suite in that pwsh
#   ./build.sh demo           the scheduled load against the bundled sandbox and a local ClickHouse
#   ./build.sh package        versioned module folder + .nupkg in out/package
#   ./build.sh clickhouse ... the ClickHouse launcher (start|stop|status|url|env|query)
# The steps themselves are defined once, in build/QTickets.Build.proj; build.ps1 calls the same targets.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 POWERSHELL_TELEMETRY_OPTOUT=1 MSBUILDDISABLENODEREUSE=1

msbuild() {
  # No node reuse and no shared compiler server: nothing of the build may outlive this script.
  dotnet msbuild "$root/build/QTickets.Build.proj" -nologo -nodeReuse:false -p:UseSharedCompilation=false -v:minimal "$@"
}

task="${1:-build}"; shift || true
case "$task" in
  build)   msbuild -t:Layout "$@" ;;
  tools)   msbuild -t:Tools "$@" ;;
  pwsh)
    [ -f "$root/out/tools.env" ] || msbuild -t:Tools -clp:ErrorsOnly >/dev/null
    # shellcheck source=/dev/null
    . "$root/out/tools.env"
    exec "$QTICKETS_PWSH" "$@" ;;
  package) msbuild -t:Package "$@" ;;
  clickhouse) exec "$root/build/clickhouse.sh" "$@" ;;
  test)
    started=0
    cleanup() {
      status=$?
      if [ "$started" = 1 ]; then "$root/build/clickhouse.sh" stop >/dev/null 2>&1 || true; fi
      exit $status
    }
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    command -v curl >/dev/null || { echo "build.sh: curl is needed to talk to the local ClickHouse (apt-get install curl)" >&2; exit 1; }
    msbuild -t:Layout
    msbuild -t:Tools
    # A ClickHouse someone started by hand is used and left running; one we start is stopped at exit, and the
    # launcher watches this script's PID, so even a SIGKILL here cannot leave it behind.
    if ! "$root/build/clickhouse.sh" status >/dev/null 2>&1; then
      "$root/build/clickhouse.sh" start --owner-pid $$
      started=1
    fi
    QTICKETS_TEST_CLICKHOUSE_ENV="$("$root/build/clickhouse.sh" env)" msbuild -t:Test "$@"
    ;;
  demo) exec "$root/scripts/demo.sh" "$@" ;;
  *) echo "build.sh: unknown task '$task' (build, tools, pwsh, test, demo, package, clickhouse)" >&2; exit 64 ;;
esac
