<#
.SYNOPSIS
    Runs the whole Pester 5 suite against the built module in out/QTickets. Called by the build's Pester target.
.DESCRIPTION
    Prints Pester's own report, then one summary line 'Pester: N passed, N failed, N skipped' taken from the result
    object (never from the report's text), and exits 0 only when every discovered test ran and passed: a failed,
    skipped or not-run test, a failed block or container (a BeforeAll that threw, a file that did not parse), or a
    run that discovered nothing exits 1. A skipped test is a check nobody ran, so it fails the run too.
.PARAMETER PesterPath
    Pester.psd1 to import (the build passes the copy it downloaded into the project's cache); default: Pester 5
    from $env:PSModulePath.
#>
[CmdletBinding()]
param(
    [string] $PesterPath,
    [string] $Output = 'Detailed',
    # Run only these files (paths or names under tests/Pester); default: every *.Tests.ps1.
    [string[]] $Path,
    # Where Pester writes its NUnit XML (the build reads it for the report at the end of a test run).
    [string] $ResultPath = (Join-Path $PSScriptRoot '../../out/pester-results.xml')
)
$ErrorActionPreference = 'Stop'
if ($PesterPath) { Import-Module $PesterPath -Force } else { Import-Module Pester -MinimumVersion 5.0 }

$config = New-PesterConfiguration
$config.Run.Path = if ($Path) { $Path | ForEach-Object { if (Test-Path $_) { $_ } else { Join-Path $PSScriptRoot $_ } } } else { $PSScriptRoot }
$config.Run.PassThru = $true
$config.Run.Exit = $false
$config.Output.Verbosity = $Output
$config.TestResult.Enabled = $true
$config.TestResult.OutputPath = $ResultPath
$result = Invoke-Pester -Configuration $config

$summary = 'Pester: {0} passed, {1} failed, {2} skipped' -f $result.PassedCount, $result.FailedCount, $result.SkippedCount
$problems = @(
    if ($result.NotRunCount -gt 0) { "$($result.NotRunCount) not run" }
    if ($result.FailedBlocksCount -gt 0) { "$($result.FailedBlocksCount) failed blocks: $($result.FailedBlocks.ExpandedPath -join '; ')" }
    if ($result.FailedContainersCount -gt 0) { "$($result.FailedContainersCount) failed files: $($result.FailedContainers.Item -join '; ')" }
    if ($result.TotalCount -eq 0) { 'no tests were discovered' }
)
if ($problems) { $summary += ' (' + ($problems -join ', ') + ')' }
[Console]::Out.WriteLine($summary)
$ok = $result.Result -eq 'Passed' -and $result.FailedCount -eq 0 -and $result.SkippedCount -eq 0 -and -not $problems
exit ([int] (-not $ok))
