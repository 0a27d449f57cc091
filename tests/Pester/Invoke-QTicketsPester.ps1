<#
.SYNOPSIS
    Runs the Pester 5 suite against the built module in out/QTickets. Called by the build's Pester target.
#>
[CmdletBinding()]
param([string] $Output = 'Detailed')
$ErrorActionPreference = 'Stop'
Import-Module Pester -MinimumVersion 5.0
$config = New-PesterConfiguration
$config.Run.Path = $PSScriptRoot
$config.Run.Exit = $true
$config.Output.Verbosity = $Output
$config.TestResult.Enabled = $true
$config.TestResult.OutputPath = Join-Path $PSScriptRoot '../../out/pester-results.xml'
Invoke-Pester -Configuration $config
