#Requires -Version 7.6
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Get-QTicketsOrder and Get-QTicketsEvent in users' pwsh against the bundled API sandbox (out/qtickets-sandbox,
    started here on a free port with its own token; stopped in AfterAll). Needs the built module and sandbox
    (./build.sh build); no real token and no network.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'QTickets.TestSupport.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force -ErrorAction Stop

    $script:token = 'qt-pester-' + [guid]::NewGuid().ToString('N')
    # A token of 24 characters or more shows its first two and last two.
    $script:fingerprint = $token.Substring(0, 2) + '***' + $token.Substring($token.Length - 2)
    $script:sandbox = Start-TestSandbox -Token $token -Argument '--seed', '41', '--orders', '400'
    $script:url = $sandbox.BaseUrl
    $script:api = @{ Token = $token; BaseUrl = $url }
    # The sandbox's virtual now is 2026-11-20 12:00 MSK, with 60 days of generated history.
    $script:window = @{ Since = [DateTimeOffset]'2026-09-01T00:00:00+03:00'; Until = [DateTimeOffset]'2026-11-21T00:00:00+03:00' }
    $script:orders = @(Get-QTicketsOrder @api @window)
}

AfterAll {
    Stop-TestSandbox $sandbox
    Remove-Module QTickets -ErrorAction SilentlyContinue
}

Describe 'Get-QTicketsOrder' {
    It 'declares its output type and parameter sets' {
        $command = Get-Command Get-QTicketsOrder
        $command.OutputType.Name | Should -Contain 'QTickets.Core.Model.Order'
        ($command.ParameterSets.Name | Sort-Object) | Should -Be @('Changes', 'Id', 'SinceHours', 'Window')
        $command.DefaultParameterSet | Should -Be 'SinceHours'
        $command.Parameters['Id'].Aliases | Should -Contain 'OrderId'
    }

    It 'streams paid orders of the window, each id once, in id order' {
        $orders.Count | Should -BeGreaterThan 50
        $orders[0] | Should -BeOfType ([QTickets.Core.Model.Order])
        $ids = $orders.Id
        @($ids | Sort-Object -Unique).Count | Should -Be $ids.Count
        ($ids -join ',') | Should -Be (($ids | Sort-Object) -join ',')
        $orders | ForEach-Object {
            $_.Payed | Should -BeTrue
            $_.PayedAt | Should -BeGreaterOrEqual $window.Since
            $_.PayedAt | Should -BeLessThan $window.Until
            $_.Status | Should -BeIn @('Paid', 'PartiallyRefunded', 'Refunded')
        }
    }

    It 'adds unpaid and cancelled orders only when asked' {
        $all = @(Get-QTicketsOrder @api @window -IncludeUnpaid -IncludeCancelled)
        $all.Count | Should -BeGreaterThan $orders.Count
        $all.Status | Should -Contain 'Cancelled'
    }

    It 'gives the same result one page at a time' {
        $sequential = @(Get-QTicketsOrder @api @window -Parallelism 1)
        ($sequential.Id -join ',') | Should -Be ($orders.Id -join ',')
    }

    It 'leaves personal data out unless -IncludePersonalData' {
        # Scanning nothing would prove nothing: the orders must be there, with their payloads.
        $orders.Count | Should -BeGreaterThan 10
        @($orders | Where-Object PayloadJson).Count | Should -Be $orders.Count
        $text = ($orders | ForEach-Object { $_.ClientEmail; $_.ClientPhone; $_.ClientName; $_.PaymentCardNumber; $_.PayloadJson
                $_.Baskets | ForEach-Object { $_.HolderEmail; $_.HolderPhone; $_.HolderName } }) -join "`n"
        $text | Should -Not -Match '@example\.test'
        $text | Should -Not -Match '\+7000000'
        $personal = Get-QTicketsOrder @api -Id $orders[0].Id -IncludePersonalData
        $personal.ClientEmail | Should -Match '@example\.test$'
        $personal.ClientPhone | Should -Match '^\+7\d{10}$'
    }

    It 'gives ConvertTo-Json the scrubbed payload as JSON text' {
        $json = $orders[0] | ConvertTo-Json -Depth 4 | ConvertFrom-Json
        $json.PayloadJson | Should -BeOfType [string]
        ($json.PayloadJson | ConvertFrom-Json).id | Should -Be $orders[0].Id
    }

    It 'reads orders by id, also from the pipeline' {
        $again = @($orders | Select-Object -First 3 | Get-QTicketsOrder @api)
        $again.Id | Should -Be ($orders | Select-Object -First 3).Id
        (@([pscustomobject]@{ OrderId = $orders[0].Id } | Get-QTicketsOrder @api)).Id | Should -Be $orders[0].Id
    }

    It 'reports an unknown id as a non-terminating ObjectNotFound with the id as target' {
        $found = @(Get-QTicketsOrder @api -Id $orders[0].Id, 999999999 -ErrorVariable problems -ErrorAction SilentlyContinue)
        $found.Id | Should -Be $orders[0].Id
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -Be 'QTickets.Api.OrderNotFound,QTickets.Cmdlets.Api.GetQTicketsOrderCommand'
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be 999999999
    }

    It 'writes one verbose line per request with the token fingerprint, never the token' {
        $lines = @(Get-QTicketsOrder @api @window -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        $requests = @($lines | Where-Object Message -Like 'GET /orders page *')
        $requests.Count | Should -BeGreaterThan 1
        $requests | ForEach-Object { $_.Message | Should -Match ([regex]::Escape("(token $fingerprint)") + '$') }
        ($lines.Message -join "`n") | Should -Not -Match ([regex]::Escape($token))
    }

    It 'ends with one terminating AuthenticationError naming QTICKETS_TOKEN when the token is refused' {
        $wrong = 'qt-wrong-' + [guid]::NewGuid().ToString('N')
        $caught = $null
        try { Get-QTicketsOrder -Token $wrong -BaseUrl $url @window -ErrorAction Stop } catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty
        $caught.FullyQualifiedErrorId | Should -Be 'QTickets.Api.Unauthorized,QTickets.Cmdlets.Api.GetQTicketsOrderCommand'
        $caught.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $caught.Exception.Message | Should -Match 'QTICKETS_TOKEN'
        $caught.Exception.Message | Should -Not -Match ([regex]::Escape($wrong))
    }

    It 'shows a default table that fits 80 columns' {
        $table = $orders | Select-Object -First 20 | Format-Table | Out-String -Width 80
        $table | Should -Match 'Status'
        $table -split "`r?`n" | ForEach-Object { $_.Length | Should -BeLessOrEqual 80 }
    }
}

Describe 'Get-QTicketsEvent' {
    BeforeAll {
        $script:events = @(Get-QTicketsEvent @api)
    }

    It 'emits every event with shows, city and time zone' {
        $events.Count | Should -BeGreaterThan 10 -Because 'the default page holds 10: every page must be read'
        $events[0] | Should -BeOfType ([QTickets.Core.Model.Event])
        $live = $events | Where-Object { $null -eq $_.DeletedAt } | Select-Object -First 1
        $live.Shows.Count | Should -BeGreaterThan 0
        $live.City | Should -Not -BeNullOrEmpty
        [System.TimeZoneInfo]::FindSystemTimeZoneById($live.CityTimeZone) | Should -Not -BeNullOrEmpty
    }

    It 'reads single events by id and reports an unknown one' {
        $one = @($events[0].Id, 999999999 | Get-QTicketsEvent @api -ErrorVariable problems -ErrorAction SilentlyContinue)
        $one.Id | Should -Be $events[0].Id
        $problems[0].FullyQualifiedErrorId | Should -Be 'QTickets.Api.EventNotFound,QTickets.Cmdlets.Api.GetQTicketsEventCommand'
        $problems[0].TargetObject | Should -Be 999999999
    }

    It 'shows a default table that fits 80 columns' {
        $table = $events | Format-Table | Out-String -Width 80
        $table | Should -Match 'Shows\s+FirstShow\s+Active\s+Name'
        $table -split "`r?`n" | ForEach-Object { $_.Length | Should -BeLessOrEqual 80 }
    }
}
