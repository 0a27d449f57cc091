<#
.SYNOPSIS
    The last lines of a test run: one line per suite (xunit's TRX files and Pester's NUnit XML in out/test-results),
    then every failed test with the first lines of its message. Called by the build's Test target, after everything.
.DESCRIPTION
    The suites print thousands of lines, and a CI log may keep only its end: a failure far above must still be
    readable there. The verdict stays with the suites' exit codes; this only reports what their result files say,
    and says so when a suite left none (its process died before writing it).
#>
[CmdletBinding()]
param([Parameter(Mandatory)] [string] $ResultsDir, [string[]] $Expected = @())
$ErrorActionPreference = 'Stop'
$Expected = @($Expected -split ',' | Where-Object { $_ })  # -File passes the build's list as one string
$PSStyle.OutputRendering = 'PlainText'

function Short([string] $text, [int] $lines = 4) {
    $kept = @(($text -split "`r?`n") | Where-Object { $_.Trim() } | Select-Object -First $lines)
    ($kept | ForEach-Object { $line = $_.Trim(); "`n      " + $(if ($line.Length -gt 240) { $line.Substring(0, 240) + '...' } else { $line }) }) -join ''
}

$failures = [System.Collections.Generic.List[string]]::new()
[Console]::Out.WriteLine('Test report:')
foreach ($name in $Expected) {
    $trx = Join-Path $ResultsDir "$name.trx"
    if (-not (Test-Path $trx)) {
        [Console]::Out.WriteLine("  $name`: no result file (the test process ended before writing it: see its output above)")
        $failures.Add("  $name`: no results")
        continue
    }
    [xml] $doc = Get-Content -Raw $trx
    $ns = @{ t = 'http://microsoft.com/schemas/VisualStudio/TeamTest/2010' }
    $counters = (Select-Xml -Xml $doc -XPath '//t:ResultSummary/t:Counters' -Namespace $ns).Node
    $outcome = (Select-Xml -Xml $doc -XPath '//t:ResultSummary' -Namespace $ns).Node.outcome
    [Console]::Out.WriteLine(("  {0}: {1} passed, {2} failed, {3} not executed of {4} ({5})" -f
        $name, $counters.passed, $counters.failed, $counters.notExecuted, $counters.total, $outcome))
    foreach ($r in Select-Xml -Xml $doc -XPath '//t:UnitTestResult[@outcome!="Passed"]' -Namespace $ns) {
        $message = $r.Node.Output.ErrorInfo.Message
        $failures.Add("  FAILED $name`: $($r.Node.testName) [$($r.Node.duration)]$(Short $message)")
    }
    foreach ($m in Select-Xml -Xml $doc -XPath '//t:RunInfo[@outcome="Error"]' -Namespace $ns) {
        $failures.Add("  $name run error:$(Short $m.Node.Text 6)")
    }
}
$pester = Join-Path $ResultsDir 'pester.xml'
if (Test-Path $pester) {
    [xml] $doc = Get-Content -Raw $pester
    $run = $doc.'test-results'
    [Console]::Out.WriteLine(("  Pester: {0} tests, {1} failures, {2} errors, {3} skipped" -f $run.total, $run.failures, $run.errors, $run.skipped))
    foreach ($case in $doc.SelectNodes('//test-case[@result="Failure" or @result="Error"]')) {
        $failures.Add("  FAILED Pester: $($case.name)$(Short $case.failure.message)")
    }
}
else {
    [Console]::Out.WriteLine('  Pester: no result file')
}
if ($failures.Count) { $failures | ForEach-Object { [Console]::Out.WriteLine($_) } }
else { [Console]::Out.WriteLine('  no failed test') }
