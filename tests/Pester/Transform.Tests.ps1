#Requires -Version 7.6
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    ConvertTo-QTicketsSalesRow in users' pwsh, offline: the genuine fixture pages in, rows out, and the support
    form of CSV (Export-Csv -Encoding utf8BOM -UseCulture) read back with Import-Csv. Needs the built module
    (./build.sh build lays it out in out/QTickets); no token and no network.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'QTickets.TestSupport.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force -ErrorAction Stop
    $fixtures = if ($env:QTICKETS_FIXTURES_DIR) { $env:QTICKETS_FIXTURES_DIR } else { Join-Path (Get-TestRepositoryRoot) 'tests' 'fixtures' }

    $script:raw = Get-Content -LiteralPath (Join-Path $fixtures 'orders_page1.json') -Raw
    $eventsPage = Get-Content -LiteralPath (Join-Path $fixtures 'events_page1.json') -Raw
    $document = [System.Text.Json.JsonDocument]::Parse($eventsPage)
    $script:events = @($document.RootElement.GetProperty('data').EnumerateArray() |
        ForEach-Object { [QTickets.Core.Json.QTicketsJson]::ParseEvent($_) })
    $script:columns = 'order_id', 'event_id', 'city', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_content',
        'utm_term', 'sale_ts', 'tickets_sold', 'revenue', 'currency', 'payload_json', '_ver', '_dedup_key', 'SaleUtc'
}

Describe 'ConvertTo-QTicketsSalesRow on the genuine orders page' {
    It 'yields one row per paid order with the right totals' {
        $rows = @($raw | ConvertTo-QTicketsSalesRow -Event $events)
        $rows.Count | Should -Be 40
        ($rows | Measure-Object tickets_sold -Sum).Sum | Should -Be 118
        ($rows | Measure-Object revenue -Sum).Sum | Should -Be 11397
        @($rows | ForEach-Object { $_.sale_ts.Date } | Sort-Object -Unique).Count | Should -Be 17
        $rows | ForEach-Object { $_.city | Should -BeExactly 'Томск' }
    }

    It 'gives every row the same columns in the staging order' {
        $rows = @($raw | ConvertTo-QTicketsSalesRow -Event $events)
        foreach ($row in $rows) {
            $row.PSObject.Properties.Name | Should -Be $columns
        }
    }

    It 'keeps personal data out of rows and payloads' {
        $scanned = @($raw | ConvertTo-QTicketsSalesRow -Event $events)
        $scanned.Count | Should -BeGreaterThan 10
        $text = ($scanned | ForEach-Object { $_.PSObject.Properties.Value }) -join "`n"
        $text | Should -Not -Match 'buyer\d+@example\.test'
        $text | Should -Not -Match '\+7000000\d{4}'
        $text | Should -Not -Match '\b(Name|Surname|Middle)\d+\b'
        $text | Should -Not -Match '\d{6}\*{6}\d{4}'
    }

    It 'gives one row per ticket with -PerTicket, contacts only with -IncludePersonalData' {
        $tickets = @($raw | ConvertTo-QTicketsSalesRow -Event $events -PerTicket)
        $tickets.Count | Should -Be 139
        @($tickets | Where-Object status -eq 'paid').Count | Should -Be 118
        @($tickets | Where-Object holder_email).Count | Should -Be 0
        $personal = $raw | ConvertTo-QTicketsSalesRow -Event $events -PerTicket -IncludePersonalData | Select-Object -First 1
        $personal.holder_email | Should -Be 'buyer1@example.test'
    }

    It 'reports a bad order with its id as target and goes on' {
        $bad = '{"id":9002,"payed":true,"payed_at":"2025-11-09T12:00:00+03:00","event_id":1,"baskets":[]}'
        $rows = @($bad, $raw | ConvertTo-QTicketsSalesRow -Event $events -ErrorVariable problems -ErrorAction SilentlyContinue)
        $rows.Count | Should -Be 40
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'QTickets.SalesRow.InvalidOrder*'
        $problems[0].TargetObject | Should -Be 9002
    }
}

Describe 'The Excel-friendly CSV round trip' {
    BeforeAll {
        $script:csv = Join-Path $TestDrive 'sales.csv'
        $script:rows = @($raw | ConvertTo-QTicketsSalesRow -Event $events)
        $rows | Export-Csv -LiteralPath $csv -Encoding utf8BOM -UseCulture -NoTypeInformation
        $script:back = @(Import-Csv -LiteralPath $csv -Encoding utf8BOM -UseCulture)
    }

    It 'starts with a UTF-8 byte order mark, so Excel reads Cyrillic' {
        $bytes = [System.IO.File]::ReadAllBytes($csv)
        $bytes[0..2] | Should -Be @(0xEF, 0xBB, 0xBF)
    }

    It 'separates with the culture''s list separator' {
        $separator = (Get-Culture).TextInfo.ListSeparator
        (Get-Content -LiteralPath $csv -TotalCount 1) | Should -BeLike ('"order_id"' + $separator + '"event_id"*')
    }

    It 'reads back the same rows and columns' {
        $back.Count | Should -Be $rows.Count
        $back[0].PSObject.Properties.Name | Should -Be $columns
    }

    It 'keeps the Cyrillic city intact' {
        $back | ForEach-Object { $_.city | Should -BeExactly 'Томск' }
    }

    It 'keeps ids as text, digit for digit' {
        for ($i = 0; $i -lt $rows.Count; $i++) {
            $back[$i].order_id | Should -BeOfType [string]
            $back[$i].order_id | Should -BeExactly $rows[$i].order_id
            $back[$i]._dedup_key | Should -BeExactly $rows[$i]._dedup_key
        }
    }

    It 'keeps the scrubbed payload as one valid JSON cell' {
        $back.Count | Should -BeGreaterThan 10
        $back | ForEach-Object { { $_.payload_json | ConvertFrom-Json } | Should -Not -Throw }
        ($back | ForEach-Object payload_json) -join "`n" | Should -Not -Match 'example\.test'
    }

    It 'gives ConvertTo-Json the payload as its JSON text, as Export-Csv does' {
        $json = $rows | Select-Object -First 3 | ConvertTo-Json -Depth 3 | ConvertFrom-Json
        foreach ($row in $json) {
            $row.payload_json | Should -BeOfType [string]
            ($row.payload_json | ConvertFrom-Json).id | Should -BeExactly ([long]$row.order_id)
        }
    }
}
