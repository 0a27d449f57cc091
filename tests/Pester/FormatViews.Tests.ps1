#Requires -Version 7.6
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Every view of every *.Format.ps1xml the built module ships, rendered at 80 and 120 columns (Out-String -Width)
    with real objects of its type: the cmdlets' own output against the sandbox and a loaded throwaway ClickHouse
    database, or, for the few types no cheap call returns (the webhook receiver's summary, a run of the debug
    protocol's report), an instance made without its constructor. A table's header line must show every column the
    view declares, in order, each header whole (its Label, else its property's name): no script-block text as a
    header, no header cut (… or a prefix), no column silently dropped at 80. A list must show every label. A
    custom view must render. Needs ./build.sh build and the test ClickHouse; starts the sandbox.
#>

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'QTickets.TestSupport.psm1') -Force
    $moduleDir = Split-Path (Get-TestModuleManifest)
    $views = foreach ($file in Get-ChildItem -LiteralPath $moduleDir -Filter '*.Format.ps1xml' | Sort-Object Name) {
        foreach ($view in ([xml] (Get-Content -LiteralPath $file.FullName -Raw)).Configuration.ViewDefinitions.View) {
            foreach ($width in 80, 120) {
                @{ File = $file.Name; View = $view.Name; TypeName = $view.ViewSelectedBy.TypeName; Width = $width }
            }
        }
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'QTickets.TestSupport.psm1') -Force
    $manifest = Get-TestModuleManifest
    Import-Module $manifest -Force -ErrorAction Stop
    $script:moduleDir = Split-Path $manifest
    $script:ch = Get-TestClickHouse
    $script:db = New-TestDatabase $ch -Prefix 'qt_pester_views_'
    $admin = Get-TestClickHouseParameter $ch $db
    $script:sandbox = Start-TestSandbox -Argument '--seed', '7', '--orders', '400', '--history-days', '5'
    $script:work = New-TestDirectory -Prefix 'qt-pester-views-'
    $envFile = New-TestEnvFile (Join-Path $work 'qtickets.env') -Sandbox $sandbox -ClickHouse $ch -Database $db
    $now = Get-TestSandboxClock $sandbox
    $api = @{ EnvFile = $envFile }

    # Real objects, by the type name their views select.
    $script:samples = @{}
    function script:Add-Sample([object[]] $Objects) {
        foreach ($o in $Objects) {
            if ($null -eq $o) { continue }
            $name = $o.PSObject.TypeNames[0]
            if (-not $samples.ContainsKey($name)) { $samples[$name] = [System.Collections.Generic.List[object]]::new() }
            if ($samples[$name].Count -lt 5) { $samples[$name].Add($o) }
        }
    }
    Add-Sample @(Initialize-QTicketsClickHouse @admin -WarningAction SilentlyContinue -ErrorAction Stop)
    $orders = @(Get-QTicketsOrder @api -Since $now.AddDays(-2) -Until $now -IncludeUnpaid -IncludeCancelled -ErrorAction Stop)
    Add-Sample $orders
    $events = @(Get-QTicketsEvent @api -ErrorAction Stop)
    Add-Sample $events
    Add-Sample @($orders | ConvertTo-QTicketsSalesRow @api -Event $events -ErrorAction Stop)
    Add-Sample @($orders | ConvertTo-QTicketsSalesRow @api -Event $events -PerTicket -ErrorAction Stop)
    Add-Sample @($orders | Export-QTicketsSupportCsv @api (Join-Path $work 'orders.csv') -PassThru -ErrorAction Stop)
    Add-Sample @($orders | Export-QTicketsSupportCsv @api (Join-Path $work 'tickets.csv') -PerTicket -PassThru -ErrorAction Stop)
    Add-Sample @($events | Select-Object -First 2 | Get-QTicketsInventory @api -ErrorAction Stop)
    Add-Sample @($events | Select-Object -First 2 | Get-QTicketsInventory @api -PerShow -ErrorAction Stop)
    Add-Sample @(Get-QTicketsConfig @api)
    Add-Sample @(Get-QTicketsConfig @api -Source)
    Add-Sample @(Get-QTicketsSchedule -EnvFile $envFile)
    Add-Sample @(Invoke-QTicketsLoad @api -Now $now -LockPath (Join-Path $work 'load.lock') -WarningAction SilentlyContinue -ErrorAction Stop)
    Add-Sample @(Test-QTicketsFreshness @api -Now $now -ErrorAction SilentlyContinue)
    Add-Sample @(Test-QTicketsClickHouse @api -ErrorAction SilentlyContinue)
    Add-Sample @(Update-QTicketsDailyFacts @api -Day $now.Date -ErrorAction Stop)
    Add-Sample @($orders | Select-Object -First 3 | ConvertTo-QTicketsSalesRow @api -Event $events | Write-QTicketsClickHouse @api -PassThru -ErrorAction Stop)
    Add-Sample @(Compare-QTicketsClickHouse @api -Days 2 -Now $now -ErrorAction Stop)
    Add-Sample @(Compare-QTicketsClickHouse @api -Days 2 -Now $now -Summary -ErrorAction Stop)
    Add-Sample @(Test-QTicketsEndpoint -EnvFile $envFile -Step A1, J1 -RetryDelaySeconds 1)
    Add-Sample @(Test-QTicketsEndpoint -EnvFile $envFile -Step A1 -RetryDelaySeconds 1 -Verdict)

    function script:Get-Sample([string] $TypeName) {
        if ($samples.ContainsKey($TypeName)) { return $samples[$TypeName].ToArray() }
        $type = $TypeName -as [type]
        if (-not $type) { throw "No type $TypeName in the loaded module: a view for a type that does not exist." }
        , [System.Runtime.CompilerServices.RuntimeHelpers]::GetUninitializedObject($type)
    }

    function script:Get-ViewNode([string] $File, [string] $View) {
        ([xml] (Get-Content -LiteralPath (Join-Path $moduleDir $File) -Raw)).Configuration.ViewDefinitions.View | Where-Object Name -eq $View
    }
}

AfterAll {
    Stop-TestSandbox $sandbox
    Remove-TestDatabase $ch $db
    if ($work) { Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'View <View> (<File>) at <Width> columns' -ForEach $views {
    It 'shows every declared column or label whole' {
        $node = Get-ViewNode $File $View
        $objects = Get-Sample $TypeName
        if ($node.TableControl) {
            $headers = @($node.TableControl.TableHeaders.TableColumnHeader)
            $items = @(@($node.TableControl.TableRowEntries.TableRowEntry)[0].TableColumnItems.TableColumnItem)
            $labels = for ($i = 0; $i -lt $headers.Count; $i++) {
                $label = if ($headers[$i].Label) { $headers[$i].Label } elseif ($items[$i].PropertyName) { $items[$i].PropertyName }
                $label | Should -Not -BeNullOrEmpty -Because "column $($i + 1) of $View shows a script block and needs a <Label>, else its header is the script's text"
                $label
            }
            $text = $objects | Format-Table -View $View | Out-String -Width $Width
            $lines = @($text -split '\r?\n' | Where-Object { $_.Trim() })
            $header = $lines[0]
            $header | Should -Not -Match '…' -Because "a header is cut at $Width columns:`n$text"
            $position = 0
            foreach ($label in $labels) {
                $match = [regex]::Match($header.Substring($position), "(?<![^ ])$([regex]::Escape($label))(?![^ ])")
                $match.Success | Should -BeTrue -Because "the header '$label' of $View must show whole at $Width columns; the header line is '$header'"
                $position += $match.Index + $match.Length
            }
            # The dashes line has one run per column: none dropped.
            @([regex]::Matches($lines[1], '-+')).Count | Should -Be $labels.Count -Because "$View declares $($labels.Count) columns:`n$text"
        }
        elseif ($node.ListControl) {
            $listItems = @(@($node.ListControl.ListEntries.ListEntry)[0].ListItems.ListItem)
            $text = $objects | Select-Object -First 1 | Format-List -View $View | Out-String -Width $Width
            foreach ($item in $listItems) {
                $label = if ($item.Label) { $item.Label } else { $item.PropertyName }
                $label | Should -Not -BeNullOrEmpty -Because "a list item of $View shows a script block and needs a <Label>"
                $text | Should -Match "(?m)^$([regex]::Escape($label)) *:" -Because "$View must show '$label' at $Width columns:`n$text"
            }
        }
        else {
            $text = $objects | Select-Object -First 1 | Format-Custom -View $View | Out-String -Width $Width
            $text.Trim() | Should -Not -BeNullOrEmpty
        }
    }
}
