#!/usr/bin/env bash
# Build, test and run QTickets.PowerShell on a machine with the .NET SDK (no pwsh needed).
#   ./build.sh build          compile and lay out out/QTickets (the module), out/qtickets-sandbox, out/qtickets-pwsh
#   ./build.sh test           build, start a local ClickHouse 26.7, run every test suite, stop ClickHouse
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
    # A ClickHouse someone started by hand is used and left running; one we start is stopped at exit, and the
    # launcher watches this script's PID, so even a SIGKILL here cannot leave it behind.
    if ! "$root/build/clickhouse.sh" status >/dev/null 2>&1; then
      "$root/build/clickhouse.sh" start --owner-pid $$
      started=1
    fi
    QTICKETS_TEST_CLICKHOUSE_ENV="$("$root/build/clickhouse.sh" env)" msbuild -t:Test "$@"
    ;;
  demo) exec "$root/scripts/demo.sh" "$@" ;;
  *) echo "build.sh: unknown task '$task' (build, test, demo, package, clickhouse)" >&2; exit 64 ;;
esac
