#!/usr/bin/env bash
# Source of out/qtickets-pwsh: runs a PowerShell script in the PowerShell 7.6 engine hosted by out/pwsh/QTickets.Pwsh.dll.
# Usage as pwsh: qtickets-pwsh -File script.ps1 -Param value -Switch | qtickets-pwsh -Command '...' | -Help
set -euo pipefail
dir="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
exec dotnet "$dir/pwsh/QTickets.Pwsh.dll" "$@"
