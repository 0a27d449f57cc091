<#
    Scaffolding shared by the Pester 5 files in this folder: the repository's paths, the bundled API sandbox
    (start, stop, and its /_sandbox/ control endpoints: clock, faults, truth, stats), the test ClickHouse (its env
    file, a database of the run's own, SQL as the administrator, writer or reader), env files, and scripts run in a
    child pwsh the way cron runs them.

    Import it in a file's BeforeAll (and in BeforeDiscovery when discovery needs it):
        Import-Module (Join-Path $PSScriptRoot 'QTickets.TestSupport.psm1') -Force
    Its functions run in this module's scope: they see none of a test file's variables. Everything they need is
    passed in (the sandbox object Start-TestSandbox returns, the settings Get-TestClickHouse returns) and everything
    they make is returned. They do not import the QTickets module (an import from here would be visible only inside
    this module): each test file imports (Get-TestModuleManifest) itself.
#>

$ErrorActionPreference = 'Stop'

$script:RepositoryRoot = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($PSScriptRoot, '..', '..'))

function Get-TestRepositoryRoot {
    <# The checkout's root folder (the one with QTickets.PowerShell.sln). #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $script:RepositoryRoot
}

function Get-TestModuleManifest {
    <# out/QTickets/QTickets.psd1, as ./build.sh build (or ./build.ps1 build) lays it out. #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $path = [System.IO.Path]::Combine($script:RepositoryRoot, 'out', 'QTickets', 'QTickets.psd1')
    if (-not [System.IO.File]::Exists($path)) { throw "No built module at ${path}: run ./build.sh build (or ./build.ps1 build) first." }
    $path
}

function Get-TestPwshPath {
    <# The pwsh executable of the running PowerShell: $PSHOME/pwsh (pwsh.exe on Windows). #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $path = [System.IO.Path]::Combine($PSHOME, $(if ($IsWindows) { 'pwsh.exe' } else { 'pwsh' }))
    if (-not [System.IO.File]::Exists($path)) { throw "No pwsh in `$PSHOME ($PSHOME): run the suite in pwsh 7.6 (./build.sh test installs it)." }
    $path
}

function New-TestDirectory {
    <# A new empty folder under the temp folder, for env files, locks and captures; remove it in AfterAll. #>
    [CmdletBinding()]
    [OutputType([string])]
    param([string] $Prefix = 'qt-pester-')
    $path = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), $Prefix + [guid]::NewGuid().ToString('N').Substring(0, 8))
    [System.IO.Directory]::CreateDirectory($path).FullName
}

# ------------------------------------------------------------------------------------------------ the sandbox

function Start-TestSandbox {
    <#
        Starts the bundled QTickets API sandbox on a free port with a token of its own (out/qtickets-sandbox;
        dotnet out/sandbox/QTickets.Sandbox.dll on Windows) and waits for its first stdout line,
        'QTickets sandbox listening on <url>'. Returns Process, BaseUrl (…/api/rest/v1, for -BaseUrl and
        QTICKETS_BASE_URL), ControlUrl (scheme://host:port, for /_sandbox/) and Token. Stop it with Stop-TestSandbox.
    #>
    [CmdletBinding()]
    param(
        # More sandbox options, e.g. '--seed', '43', '--orders', '800', '--history-days', '20', '--faults', 'down'.
        [string[]] $Argument = @(),
        [string] $Token = ('qt-pester-' + [guid]::NewGuid().ToString('N')),
        [int] $TimeoutSeconds = 60
    )
    $out = [System.IO.Path]::Combine($script:RepositoryRoot, 'out')
    $start = [System.Diagnostics.ProcessStartInfo]::new()
    if ($IsWindows) {
        $dll = [System.IO.Path]::Combine($out, 'sandbox', 'QTickets.Sandbox.dll')
        if (-not [System.IO.File]::Exists($dll)) { throw "No sandbox at ${dll}: run ./build.ps1 build first." }
        $start.FileName = 'dotnet'
        $start.ArgumentList.Add($dll)
    }
    else {
        $start.FileName = [System.IO.Path]::Combine($out, 'qtickets-sandbox')
        if (-not [System.IO.File]::Exists($start.FileName)) { throw "No sandbox at $($start.FileName): run ./build.sh build first." }
    }
    foreach ($a in @('--port', '0', '--token', $Token) + $Argument) { $start.ArgumentList.Add($a) }
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($start)
    # Both pipes are read to the end for as long as the sandbox runs, so it never blocks on a full one.
    $stderr = $process.StandardError.ReadToEndAsync()
    $first = $process.StandardOutput.ReadLineAsync()
    $line = if ($first.Wait([timespan]::FromSeconds($TimeoutSeconds))) { $first.Result } else { $null }
    $match = [regex]::Match("$line", '^QTickets sandbox listening on (\S+)$')
    if (-not $match.Success) {
        if (-not $process.HasExited) { try { $process.Kill($true) } catch { } }
        $null = $process.WaitForExit(5000)
        $detail = if ($stderr.Wait(2000)) { $stderr.Result.Trim() } else { '' }
        throw "The sandbox did not start (waited up to $TimeoutSeconds s): first line '$line'; stderr: '$detail'"
    }
    $null = $process.StandardOutput.BaseStream.CopyToAsync([System.IO.Stream]::Null)
    $baseUrl = $match.Groups[1].Value
    [pscustomobject]@{
        PSTypeName = 'QTickets.TestSandbox'
        Process    = $process
        BaseUrl    = $baseUrl
        ControlUrl = ([uri] $baseUrl).GetLeftPart([System.UriPartial]::Authority)
        Token      = $Token
    }
}

function Stop-TestSandbox {
    <# Stops sandboxes Start-TestSandbox started (and their children); $null and stopped ones are ignored. #>
    [CmdletBinding()]
    param([Parameter(Position = 0, ValueFromPipeline)] [AllowNull()] [object[]] $Sandbox)
    process {
        foreach ($s in $Sandbox) {
            if ($null -eq $s -or $null -eq $s.Process) { continue }
            if (-not $s.Process.HasExited) {
                try { $s.Process.Kill($true) } catch { Write-Warning "Could not stop the sandbox at $($s.BaseUrl): $_" }
                $null = $s.Process.WaitForExit(5000)
            }
        }
    }
}

function Invoke-TestSandboxControl {
    <# One request to the sandbox's /_sandbox/ control API; returns the parsed JSON answer. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)] [object] $Sandbox,
        [Parameter(Mandatory, Position = 1)] [string] $Path,
        [ValidateSet('GET', 'POST', 'PUT', 'DELETE')] [string] $Method = 'GET',
        [string] $Body
    )
    $request = @{ Method = $Method; Uri = "$($Sandbox.ControlUrl)/_sandbox/$($Path.TrimStart('/'))"; ErrorAction = 'Stop' }
    if ($PSBoundParameters.ContainsKey('Body')) { $request.Body = $Body; $request.ContentType = 'application/json' }
    Invoke-RestMethod @request
}

function Get-TestSandboxClock {
    <# The sandbox's virtual now as a [DateTimeOffset] (Moscow offset kept; ToString('o') for a script's -Now). #>
    [CmdletBinding()]
    [OutputType([DateTimeOffset])]
    param([Parameter(Mandatory, Position = 0)] [object] $Sandbox)
    # Read raw: Invoke-RestMethod would turn the ISO string into a local [datetime] and lose the offset.
    $content = (Invoke-WebRequest -Uri "$($Sandbox.ControlUrl)/_sandbox/clock" -ErrorAction Stop).Content
    if ($content -is [byte[]]) { $content = [System.Text.Encoding]::UTF8.GetString($content) }
    $document = [System.Text.Json.JsonDocument]::Parse([string] $content)
    try { $now = $document.RootElement.GetProperty('now').GetString() } finally { $document.Dispose() }
    if (-not $now) { throw "The sandbox at $($Sandbox.BaseUrl) has no clock (fixture mode)." }
    [DateTimeOffset]::Parse($now, [System.Globalization.CultureInfo]::InvariantCulture)
}

function Move-TestSandboxClock {
    <# Advances the sandbox's virtual clock (orders are paid, refunded, cancelled meanwhile); returns what changed. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)] [object] $Sandbox,
        [int] $Minutes,
        [int] $Seconds
    )
    $total = $Minutes * 60 + $Seconds
    if ($total -le 0) { throw 'Give a positive -Minutes or -Seconds.' }
    Invoke-TestSandboxControl $Sandbox 'clock/advance' -Method POST -Body (@{ seconds = $total } | ConvertTo-Json -Compress)
}

function Set-TestSandboxFault {
    <# Sets the sandbox's fault profile ('down', ...) or a JSON fault spec; Clear-TestSandboxFault removes it. #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory, Position = 0)] [object] $Sandbox,
        [Parameter(Mandatory, Position = 1)] [string] $Spec
    )
    if ($PSCmdlet.ShouldProcess($Sandbox.BaseUrl, "Set faults '$Spec'")) {
        Invoke-TestSandboxControl $Sandbox 'faults' -Method POST -Body (ConvertTo-Json $Spec)
    }
}

function Clear-TestSandboxFault {
    [CmdletBinding(SupportsShouldProcess)]
    param([Parameter(Mandatory, Position = 0)] [object] $Sandbox)
    if ($PSCmdlet.ShouldProcess($Sandbox.BaseUrl, 'Clear faults')) {
        Invoke-TestSandboxControl $Sandbox 'faults' -Method DELETE
    }
}

function Get-TestSandboxTruth {
    <# What the sandbox says was sold: .rows of date, event_id, orders, tickets, revenue (Moscow days). #>
    [CmdletBinding()]
    param([Parameter(Mandatory, Position = 0)] [object] $Sandbox)
    Invoke-TestSandboxControl $Sandbox 'truth'
}

function Get-TestSandboxStatistic {
    <# The sandbox's request counts per route and outcome. #>
    [CmdletBinding()]
    param([Parameter(Mandatory, Position = 0)] [object] $Sandbox)
    Invoke-TestSandboxControl $Sandbox 'stats'
}

function Reset-TestSandboxStatistic {
    [CmdletBinding(SupportsShouldProcess)]
    param([Parameter(Mandatory, Position = 0)] [object] $Sandbox)
    if ($PSCmdlet.ShouldProcess($Sandbox.BaseUrl, 'Reset the request counts')) {
        Invoke-TestSandboxControl $Sandbox 'stats' -Method DELETE
    }
}

# ------------------------------------------------------------------------------------------------ ClickHouse

function Get-TestClickHouse {
    <#
        The settings of the test ClickHouse as a hashtable (CLICKHOUSE_HOST, CLICKHOUSE_PORT, CLICKHOUSE_USER,
        QTICKETS_CH_ADMIN_USER, QTICKETS_CH_READER_USER, their passwords, ...), read from the dotenv file
        build/clickhouse.sh writes: -Path, else $env:QTICKETS_TEST_CLICKHOUSE_ENV, else out/clickhouse/clickhouse.env.
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param([string] $Path)
    if (-not $Path) { $Path = $env:QTICKETS_TEST_CLICKHOUSE_ENV }
    if (-not $Path) { $Path = [System.IO.Path]::Combine($script:RepositoryRoot, 'out', 'clickhouse', 'clickhouse.env') }
    $Path = $PSCmdlet.GetUnresolvedProviderPathFromPSPath($Path)
    if (-not [System.IO.File]::Exists($Path)) {
        throw "No ClickHouse env file at ${Path}: run ./build.sh test or build/clickhouse.sh start, or set QTICKETS_TEST_CLICKHOUSE_ENV."
    }
    $settings = @{}
    foreach ($line in [System.IO.File]::ReadAllLines($Path)) {
        if ($line -match '^\s*([A-Z_]+)=(.*)$') { $settings[$Matches[1]] = $Matches[2] }
    }
    $settings
}

function Get-TestClickHouseAccount([hashtable] $ClickHouse, [string] $As) {
    switch ($As) {
        'Admin' { $ClickHouse.QTICKETS_CH_ADMIN_USER, $ClickHouse.QTICKETS_CH_ADMIN_PASSWORD }
        'Writer' { $ClickHouse.CLICKHOUSE_USER, $ClickHouse.CLICKHOUSE_PASSWORD }
        'Reader' { $ClickHouse.QTICKETS_CH_READER_USER, $ClickHouse.QTICKETS_CH_READER_PASSWORD }
    }
}

function Invoke-TestClickHouse {
    <#
        Runs one SQL statement over ClickHouse's HTTP interface as the administrator (default), the writer
        (CLICKHOUSE_USER) or the reader; returns the answer as text without its final line break (TSV for
        SELECTs). An error (ACCESS_DENIED included) is thrown, with ClickHouse's message in ErrorDetails.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory, Position = 0)] [hashtable] $ClickHouse,
        [Parameter(Mandatory, Position = 1)] [string] $Sql,
        [ValidateSet('Admin', 'Writer', 'Reader')] [string] $As = 'Admin'
    )
    $user, $password = Get-TestClickHouseAccount $ClickHouse $As
    $auth = 'Basic ' + [Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes("${user}:$password"))
    $answer = Invoke-RestMethod -Method Post -Uri "http://$($ClickHouse.CLICKHOUSE_HOST):$($ClickHouse.CLICKHOUSE_PORT)/" `
        -Headers @{ Authorization = $auth } -Body $Sql -ContentType 'text/plain; charset=utf-8' -ErrorAction Stop
    "$answer".TrimEnd("`r", "`n")
}

function Get-TestClickHouseParameter {
    <#
        ClickHouseHost, ClickHousePort, Database and Credential (the administrator's by default) in a hashtable,
        to splat into the QTickets ClickHouse cmdlets.
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory, Position = 0)] [hashtable] $ClickHouse,
        [Parameter(Mandatory, Position = 1)] [string] $Database,
        [ValidateSet('Admin', 'Writer', 'Reader')] [string] $As = 'Admin'
    )
    $user, $password = Get-TestClickHouseAccount $ClickHouse $As
    @{
        ClickHouseHost = $ClickHouse.CLICKHOUSE_HOST
        ClickHousePort = [int] $ClickHouse.CLICKHOUSE_PORT
        Database       = $Database
        Credential     = [pscredential]::new($user, [System.Net.NetworkCredential]::new('', $password).SecurePassword)
    }
}

function New-TestDatabase {
    <#
        A database name of this run's own (prefix + 8 hex digits); created empty as the administrator unless
        -NameOnly (for tests that create it themselves). Returns the name; drop it with Remove-TestDatabase.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([string])]
    param(
        [Parameter(Mandatory, Position = 0)] [hashtable] $ClickHouse,
        [ValidatePattern('^[a-z_][a-z0-9_]*$')] [string] $Prefix = 'qt_pester_',
        [switch] $NameOnly
    )
    $name = $Prefix + [guid]::NewGuid().ToString('N').Substring(0, 8)
    if (-not $NameOnly -and $PSCmdlet.ShouldProcess($name, 'CREATE DATABASE')) {
        $null = Invoke-TestClickHouse $ClickHouse "CREATE DATABASE $name"
    }
    $name
}

function Remove-TestDatabase {
    <# Drops a test database (IF EXISTS, SYNC) as the administrator; a failure is a warning, not an error. #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        # Both may be $null (a BeforeAll that failed early): then there is nothing to drop.
        [Parameter(Position = 0)] [AllowNull()] [hashtable] $ClickHouse,
        [Parameter(Position = 1)] [AllowEmptyString()] [AllowNull()] [string] $Name
    )
    if (-not $ClickHouse -or -not $Name) { return }
    if ($Name -notmatch '^[A-Za-z_][A-Za-z0-9_]*$') { throw "Not a test database name: '$Name'." }
    if ($PSCmdlet.ShouldProcess($Name, 'DROP DATABASE')) {
        try { $null = Invoke-TestClickHouse $ClickHouse "DROP DATABASE IF EXISTS $Name SYNC" }
        catch { Write-Warning "Could not drop ${Name}: $_" }
        # The loader's lock files for this database, left in this process's temp folder by runs the tests started
        # in-process (a real lock file stays after its run on purpose; the test database and its lock are gone).
        foreach ($dir in [System.IO.Path]::GetTempPath(), $env:XDG_RUNTIME_DIR) {
            if (-not $dir -or -not [System.IO.Directory]::Exists($dir)) { continue }
            foreach ($file in [System.IO.Directory]::EnumerateFiles($dir, "qtickets-*$Name*")) {
                if ($file.EndsWith('.lock') -or $file.EndsWith('.lock.holder')) { [System.IO.File]::Delete($file) }
            }
        }
    }
}

function Get-TestFreePort {
    <# A TCP port on 127.0.0.1 that nothing listens on at the moment. #>
    [CmdletBinding()]
    [OutputType([int])]
    param()
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function Invoke-TestClickHouseLauncher([object] $Instance, [string[]] $Argument) {
    # build/clickhouse.sh for one instance: its own folder and ports, its grants file.
    $start = [System.Diagnostics.ProcessStartInfo]::new('bash')
    $start.ArgumentList.Add([System.IO.Path]::Combine($script:RepositoryRoot, 'build', 'clickhouse.sh'))
    foreach ($a in $Argument) { $start.ArgumentList.Add($a) }
    $start.Environment['QTICKETS_CH_DIR'] = $Instance.Directory
    $start.Environment['QTICKETS_CH_HTTP_PORT'] = [string] $Instance.HttpPort
    $start.Environment['QTICKETS_CH_TCP_PORT'] = [string] $Instance.TcpPort
    $start.Environment['QTICKETS_CH_GRANTS_FILE'] = $Instance.GrantsFile
    $start.UseShellExecute = $false
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($start)
    try {
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit(120000)) { $process.Kill($true); throw "build/clickhouse.sh $($Argument -join ' ') did not finish within 120 s." }
        $process.WaitForExit()
        if ($process.ExitCode -ne 0) {
            throw "build/clickhouse.sh $($Argument -join ' ') exited $($process.ExitCode): $($stdout.Result.Trim()) $($stderr.Result.Trim())"
        }
    }
    finally { $process.Dispose() }
}

function Start-TestGrantsClickHouse {
    <#
        A second ClickHouse of the test run's own (build/clickhouse.sh with its own folder and free ports) whose
        etl_writer and qtickets_reader hold exactly the GRANT statements given (as Initialize-QTicketsClickHouse
        -Grants -WhatIf prints them, 'TO etl_writer' / 'TO qtickets_reader' at the end) and nothing else: no broad
        default grants, no readonly profile. The launcher watches this pwsh (--owner-pid), so it cannot outlive the
        run. Returns Directory, HttpPort, TcpPort, GrantsFile and EnvFile (the administrator included, for
        Get-TestClickHouse -Path). Stop it with Stop-TestGrantsClickHouse, which also removes its folder.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string[]] $Grant)
    $lines = foreach ($g in $Grant) {
        $statement = $g.Trim().TrimEnd(';')
        if ($statement -match ' TO etl_writer$') { "writer|$statement" }
        elseif ($statement -match ' TO qtickets_reader$') { "reader|$statement" }
        else { throw "A grant for neither etl_writer nor qtickets_reader: $statement" }
    }
    $directory = New-TestDirectory -Prefix 'qt-pester-grants-'
    $http = Get-TestFreePort
    do { $tcp = Get-TestFreePort } while ($tcp -eq $http)
    $instance = [pscustomobject]@{
        PSTypeName = 'QTickets.TestClickHouseInstance'
        Directory  = $directory
        HttpPort   = $http
        TcpPort    = $tcp
        GrantsFile = [System.IO.Path]::Combine($directory, 'grants.txt')
        EnvFile    = [System.IO.Path]::Combine($directory, 'clickhouse.env')
    }
    [System.IO.File]::WriteAllLines($instance.GrantsFile, [string[]] $lines)
    try { Invoke-TestClickHouseLauncher $instance @('start', '--owner-pid', [string] $PID) }
    catch { Stop-TestGrantsClickHouse $instance; throw }
    $instance
}

function Stop-TestGrantsClickHouse {
    <# Stops an instance Start-TestGrantsClickHouse started and removes its folder; $null is ignored. #>
    [CmdletBinding()]
    param([Parameter(Position = 0)] [AllowNull()] [object] $Instance)
    if (-not $Instance) { return }
    try { Invoke-TestClickHouseLauncher $Instance @('stop') }
    catch { Write-Warning "Could not stop the grants ClickHouse in $($Instance.Directory): $_" }
    if ([System.IO.Directory]::Exists($Instance.Directory)) { [System.IO.Directory]::Delete($Instance.Directory, $true) }
}

# ------------------------------------------------------------------------------------------------ env files and scripts

function New-TestEnvFile {
    <#
        Writes a dotenv file (readable by the owner only, like a real one) and returns its path. Lines, in order:
        QTICKETS_TOKEN (-Token, else the sandbox's; none with -NoToken), QTICKETS_BASE_URL (the sandbox's),
        CLICKHOUSE_HOST/PORT/DB/USER/PASSWORD (with -ClickHouse: its administrator; -ClickHousePort overrides the
        port), then -Setting's entries.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([string])]
    param(
        [Parameter(Mandatory, Position = 0)] [string] $Path,
        [object] $Sandbox,
        [string] $Token,
        [switch] $NoToken,
        [hashtable] $ClickHouse,
        [string] $Database,
        [int] $ClickHousePort,
        [System.Collections.IDictionary] $Setting
    )
    $Path = $PSCmdlet.GetUnresolvedProviderPathFromPSPath($Path)
    $lines = [System.Collections.Generic.List[string]]::new()
    if (-not $NoToken) {
        if (-not $Token -and $Sandbox) { $Token = $Sandbox.Token }
        if ($Token) { $lines.Add("QTICKETS_TOKEN=$Token") }
    }
    if ($Sandbox) { $lines.Add("QTICKETS_BASE_URL=$($Sandbox.BaseUrl)") }
    if ($ClickHouse) {
        $port = if ($ClickHousePort) { $ClickHousePort } else { $ClickHouse.CLICKHOUSE_PORT }
        $lines.Add("CLICKHOUSE_HOST=$($ClickHouse.CLICKHOUSE_HOST)")
        $lines.Add("CLICKHOUSE_PORT=$port")
        if ($Database) { $lines.Add("CLICKHOUSE_DB=$Database") }
        $lines.Add("CLICKHOUSE_USER=$($ClickHouse.QTICKETS_CH_ADMIN_USER)")
        $lines.Add("CLICKHOUSE_PASSWORD=$($ClickHouse.QTICKETS_CH_ADMIN_PASSWORD)")
    }
    if ($Setting) { foreach ($key in $Setting.Keys) { $lines.Add("$key=$($Setting[$key])") } }
    if ($PSCmdlet.ShouldProcess($Path, 'Write an env file')) {
        [System.IO.File]::WriteAllLines($Path, $lines, [System.Text.UTF8Encoding]::new($false))
        if (-not $IsWindows) { [System.IO.File]::SetUnixFileMode($Path, [System.IO.UnixFileMode] 'UserRead, UserWrite') }
    }
    $Path
}

function Invoke-TestScript {
    <#
        Runs a script in a child pwsh as cron does (pwsh -NoProfile -NonInteractive -File <script> <arguments>)
        and returns ExitCode, Lines (stdout) and Errors (stderr), line by line. -Environment sets variables for the
        child only ($null removes one, e.g. a token of the test's own environment that must not stand in for a
        missing one); the test process's own environment is left alone.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)] [string] $Path,
        [Parameter(Position = 1)] [string[]] $ArgumentList = @(),
        [System.Collections.IDictionary] $Environment = @{},
        # The pwsh to run: by default the one running the tests, found in its $PSHOME (the process path is `dotnet`
        # when pwsh runs as a .NET tool, and some other host's when the suite is hosted).
        [string] $PwshPath = (Get-TestPwshPath),
        [int] $TimeoutSeconds = 600
    )
    $start = [System.Diagnostics.ProcessStartInfo]::new($PwshPath)
    foreach ($a in @('-NoProfile', '-NonInteractive', '-File', $PSCmdlet.GetUnresolvedProviderPathFromPSPath($Path)) + $ArgumentList) {
        $start.ArgumentList.Add($a)
    }
    $start.WorkingDirectory = $ExecutionContext.SessionState.Path.CurrentFileSystemLocation.ProviderPath
    foreach ($name in $Environment.Keys) {
        if ($null -eq $Environment[$name]) { $null = $start.Environment.Remove($name) }
        else { $start.Environment[$name] = [string] $Environment[$name] }
    }
    $start.UseShellExecute = $false
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    # Decoded as pwsh decodes a native command's output.
    $start.StandardOutputEncoding = [Console]::OutputEncoding
    $start.StandardErrorEncoding = [Console]::OutputEncoding
    $process = [System.Diagnostics.Process]::Start($start)
    try {
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
            $process.Kill($true)
            throw "$Path did not finish within $TimeoutSeconds s."
        }
        $process.WaitForExit()
        [pscustomobject]@{
            PSTypeName = 'QTickets.TestScriptRun'
            ExitCode   = $process.ExitCode
            Lines      = Split-TestOutput $stdout.Result
            Errors     = Split-TestOutput $stderr.Result
        }
    }
    finally { $process.Dispose() }
}

function Split-TestOutput([string] $Text) {
    # Lines as pwsh captures a native command's output: no trailing empty line.
    $lines = [System.Collections.Generic.List[string]]::new()
    if ($Text) { $lines.AddRange([string[]] ($Text -split '\r?\n')) }
    if ($lines.Count -gt 0 -and $lines[$lines.Count - 1] -eq '') { $lines.RemoveAt($lines.Count - 1) }
    , [string[]] $lines.ToArray()
}

Export-ModuleMember -Function Get-TestRepositoryRoot, Get-TestModuleManifest, Get-TestPwshPath, New-TestDirectory,
    Start-TestSandbox, Stop-TestSandbox, Invoke-TestSandboxControl, Get-TestSandboxClock, Move-TestSandboxClock,
    Set-TestSandboxFault, Clear-TestSandboxFault, Get-TestSandboxTruth, Get-TestSandboxStatistic, Reset-TestSandboxStatistic,
    Get-TestClickHouse, Invoke-TestClickHouse, Get-TestClickHouseParameter, New-TestDatabase, Remove-TestDatabase,
    Get-TestFreePort, Start-TestGrantsClickHouse, Stop-TestGrantsClickHouse,
    New-TestEnvFile, Invoke-TestScript
