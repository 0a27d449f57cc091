<#
    The soak's in-process mode (bench/soak.sh --mode inproc): N scheduled loads in ONE engine, each after a
    15-minute clock advance and a random fault spec, exactly as scripts/Invoke-QTicketsLoader.ps1 runs them
    (Invoke-QTicketsLoad with the env file and the sandbox's now). Per-run peak RSS: /proc/self/clear_refs is
    reset to the current RSS before each run ("5"), VmHWM read after it. Prints one TSV line per run:
    run, exit code, elapsed ms, peak RSS kB, managed heap kB, orders. Runs in pwsh 7.6.
#>
param([string] $EnvFile, [string] $Root, [int] $Runs, [int] $Seed, [string] $LockPath)

Import-Module ([IO.Path]::Combine($PSScriptRoot, '..', 'out', 'QTickets', 'QTickets.psd1')) -ErrorAction Stop
$http = [System.Net.Http.HttpClient]::new()
function Post([string] $Path, [string] $Json) {
    $content = [System.Net.Http.StringContent]::new($Json, [Text.Encoding]::UTF8, 'application/json')
    $http.PostAsync("$Root$Path", $content).GetAwaiter().GetResult().Content.ReadAsStringAsync().GetAwaiter().GetResult()
}
function Get-Status([string] $Key) {
    foreach ($l in [IO.File]::ReadAllLines('/proc/self/status')) { if ($l.StartsWith("${Key}:")) { return [long] ($l -replace '[^0-9]', '') } }
}
$rng = [Random]::new($Seed)
$faults = . ([IO.Path]::Combine($PSScriptRoot, 'soak-faults.ps1'))
for ($i = 1; $i -le $Runs; $i++) {
    $advance = Post '/_sandbox/clock/advance' '{"seconds":900}'
    $now = [regex]::Match($advance, '"now"\s*:\s*"([^"]+)"').Groups[1].Value
    [void] (Post '/_sandbox/faults' (& $faults $rng))
    [IO.File]::WriteAllText('/proc/self/clear_refs', '5')
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $s = Invoke-QTicketsLoad -EnvFile $EnvFile -Now ([DateTimeOffset]::Parse($now, [Globalization.CultureInfo]::InvariantCulture)) `
        -LockPath $LockPath -SkipInventory -MaxAttempts 4 -ErrorAction SilentlyContinue
    $ms = $sw.ElapsedMilliseconds
    "{0}`t{1}`t{2}`t{3}`t{4}`t{5}" -f $i, [int] $s.ExitCode, $ms, (Get-Status 'VmHWM'), [long]([GC]::GetTotalMemory($false) / 1024), $s.Orders
}
