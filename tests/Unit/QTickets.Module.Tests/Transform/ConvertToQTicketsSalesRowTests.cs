using System.Management.Automation;
using QTickets.Module.Tests.Harness;
using QTickets.Tests.Shared;

namespace QTickets.Module.Tests.Transform;

/// <summary>
/// ConvertTo-QTicketsSalesRow in the real engine, offline: raw fixture JSON in, events passed with -Event (parsed
/// from the genuine events page by the module itself), so no token and no network are needed. The test harness's
/// hosted engine has only the engine's own cmdlets (no Get-Content, Select-Object), so the test code uses .NET.
/// </summary>
public sealed class ConvertToQTicketsSalesRowTests : IDisposable
{
    readonly PowerShellSession _ps = new();

    public ConvertToQTicketsSalesRowTests()
    {
        var r = _ps.Run("""
            $raw = [System.IO.File]::ReadAllText($ordersPath)
            $eventsJson = [System.Text.Json.JsonDocument]::Parse([System.IO.File]::ReadAllText($eventsPath))
            $events = @($eventsJson.RootElement.GetProperty('data').EnumerateArray() | ForEach-Object { [QTickets.Core.Json.QTicketsJson]::ParseEvent($_) })
            """,
            new Dictionary<string, object> { ["ordersPath"] = Fixtures.PathOf("orders_page1.json"), ["eventsPath"] = Fixtures.PathOf("events_page1.json") });
        Assert.Null(r.Terminating);
        Assert.Empty(r.Errors);
    }

    public void Dispose() => _ps.Dispose();

    [Fact]
    public void Raw_page_json_with_events_becomes_one_row_per_paid_order()
    {
        var r = _ps.Run("$raw | ConvertTo-QTicketsSalesRow -Event $events -Version 17 -Verbose");
        Assert.Null(r.Terminating);
        Assert.Empty(r.Errors);
        Assert.Equal(40, r.Output.Count);
        Assert.All(r.Output, o => Assert.Equal("QTickets.Core.Transform.SalesRow", o.BaseObject.GetType().FullName));
        Assert.Equal(118L, r.Output.Sum(o => Convert.ToInt64(o.Properties["tickets_sold"].Value)));
        Assert.Equal(11_397m, r.Output.Sum(o => (decimal)o.Properties["revenue"].Value));
        Assert.All(r.Output, o => Assert.Equal("Томск", o.Properties["city"].Value));
        Assert.All(r.Output, o => Assert.Equal(17ul, o.Properties["_ver"].Value));
        Assert.Contains(r.Verbose, v => v.StartsWith("40 rows; 10 orders never paid", StringComparison.Ordinal));
    }

    [Fact]
    public void Text_piped_line_by_line_is_read_like_ConvertFrom_Json_reads_it()
    {
        // A pretty-printed page piped as lines (Get-Content without -Raw), and one order per line (NDJSON).
        var r = _ps.Run("""
            $doc = [System.Text.Json.JsonDocument]::Parse($raw)
            $pretty = [System.Text.Json.JsonSerializer]::Serialize($doc.RootElement, [System.Text.Json.JsonSerializerOptions]@{ WriteIndented = $true })
            $lines = $pretty -split "`n"
            "lines=$($lines.Count)"
            "pretty=$(@($lines | ConvertTo-QTicketsSalesRow -Event $events -Version 17).Count)"
            $perLine = @($doc.RootElement.GetProperty('data').EnumerateArray() | ForEach-Object { $_.GetRawText() -replace '\s*\n\s*', ' ' })
            "ndjson=$(@($perLine | ConvertTo-QTicketsSalesRow -Event $events -Version 17).Count)"
            """);
        Assert.Null(r.Terminating);
        Assert.Empty(r.Errors);
        var outputs = r.Output.Select(o => o.ToString()).ToList();
        Assert.True(int.Parse(outputs[0]["lines=".Length..], System.Globalization.CultureInfo.InvariantCulture) > 100, outputs[0]);
        Assert.Equal("pretty=40", outputs[1]);
        Assert.Equal("ndjson=40", outputs[2]);
    }

    [Fact]
    public void Every_row_has_the_same_scalar_columns_in_the_same_order()
    {
        // Export-Csv takes its columns from the first object; this is the contract it relies on.
        var r = _ps.Run("$raw | ConvertTo-QTicketsSalesRow -Event $events");
        var columns = r.Output[0].Properties.Select(p => p.Name).ToList();
        Assert.Equal(
            new[] { "order_id", "event_id", "city", "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "sale_ts",
                    "tickets_sold", "revenue", "currency", "payload_json", "_ver", "_dedup_key", "SaleUtc" },
            columns);
        foreach (var row in r.Output)
        {
            Assert.Equal(columns, row.Properties.Select(p => p.Name));
            Assert.All(row.Properties, p => Assert.True(p.Value is string or DateTime or DateTimeOffset or uint or ulong or decimal,
                $"{p.Name} is {p.Value?.GetType().Name ?? "null"}, not a scalar"));
            Assert.StartsWith("{\"id\":", row.Properties["payload_json"].Value.ToString());
        }

        var tickets = _ps.Run("$raw | ConvertTo-QTicketsSalesRow -Event $events -PerTicket");
        var ticketColumns = tickets.Output[0].Properties.Select(p => p.Name).ToList();
        Assert.Equal(139, tickets.Output.Count);
        Assert.All(tickets.Output, t => Assert.Equal(ticketColumns, t.Properties.Select(p => p.Name)));
        Assert.All(tickets.Output, t => Assert.All(t.Properties, p => Assert.True(p.Value is null or string or DateTime or decimal, p.Name)));
    }

    [Fact]
    public void PerTicket_gives_every_basket_with_its_status_and_no_contacts_unless_asked()
    {
        var r = _ps.Run("$raw | ConvertTo-QTicketsSalesRow -Event $events -PerTicket");
        Assert.Empty(r.Errors);
        Assert.Equal(new[] { "cancelled=21", "paid=118" },
            r.Output.GroupBy(o => (string)o.Properties["status"].Value).Select(g => $"{g.Key}={g.Count()}").OrderBy(s => s));
        Assert.All(r.Output.Where(o => (string)o.Properties["status"].Value == "cancelled"), o => Assert.Null(o.Properties["sale_ts"].Value));

        var plain = _ps.Run("$raw | ConvertTo-QTicketsSalesRow -Event $events -PerTicket | Where-Object holder_email");
        Assert.Empty(plain.Output);
        var personal = _ps.Run("@($raw | ConvertTo-QTicketsSalesRow -Event $events -PerTicket -IncludePersonalData)[0]");
        Assert.Equal("buyer1@example.test", personal.Output[0].Properties["holder_email"].Value);
    }

    [Fact]
    public void Orders_from_the_pipeline_convert_like_their_json()
    {
        var r = _ps.Run("""
            $orders = [QTickets.Core.Transform.OrderJsonReader]::Read($raw, $false)
            $orders | ConvertTo-QTicketsSalesRow -Event $events
            """);
        Assert.Empty(r.Errors);
        Assert.Equal(40, r.Output.Count);
        Assert.Equal(11_397m, r.Output.Sum(o => (decimal)o.Properties["revenue"].Value));
    }

    [Fact]
    public void Bad_orders_are_errors_with_the_order_id_as_target_and_the_pipeline_goes_on()
    {
        var r = _ps.Run("""
            $bad = '[{"id":9001,"payed":true,"payed_at":"2025-11-09 12:00:00","event_id":24089,"baskets":[]},' +
                   '{"id":9002,"payed":true,"payed_at":"2025-11-09T12:00:00+03:00","event_id":1,"baskets":[]},' +
                   '{"payed":true,"payed_at":"2025-11-09T12:00:00+03:00","event_id":24089,"baskets":[]},' +
                   '{"id":9003,"payed":true,"payed_at":null,"event_id":24089,"baskets":[]}]'
            $bad, $raw, 'not json' | ConvertTo-QTicketsSalesRow -Event $events
            """);
        Assert.Null(r.Terminating);
        Assert.Equal(40, r.Output.Count);
        var invalid = r.Errors.Where(e => e.FullyQualifiedErrorId.StartsWith("QTickets.SalesRow.InvalidOrder", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, invalid.Count);
        Assert.Equal(new object?[] { 9001L, 9002L, null, 9003L }, invalid.Select(e => e.TargetObject is PSObject p ? p.BaseObject : e.TargetObject).Select(t => t is long ? t : null));
        Assert.All(invalid, e => Assert.Equal(ErrorCategory.InvalidData, e.CategoryInfo.Category));
        Assert.Contains("is not an ISO-8601 timestamp", invalid[0].Exception.Message);
        Assert.Contains("event 1 is unknown", invalid[1].Exception.Message);
        Assert.Contains("no id", invalid[2].Exception.Message);
        Assert.Contains("no payment time", invalid[3].Exception.Message);
        var notJson = Assert.Single(r.Errors, e => e.FullyQualifiedErrorId.StartsWith("QTickets.SalesRow.InvalidJson", StringComparison.Ordinal));
        Assert.Contains("Pass whole JSON documents (a saved page or order)", notJson.Exception.Message);
    }

    [Fact]
    public void TimeZone_moves_the_wall_clock_and_an_unknown_zone_is_refused()
    {
        var r = _ps.Run("@($raw | ConvertTo-QTicketsSalesRow -Event $events -TimeZone Asia/Krasnoyarsk)[0]");
        Assert.Equal(new DateTime(2021, 5, 18, 16, 23, 40), r.Output[0].Properties["sale_ts"].Value);
        var bad = _ps.Run("$raw | ConvertTo-QTicketsSalesRow -Event $events -TimeZone Mars/Olympus");
        Assert.Empty(bad.Output);
        var error = Assert.Single(bad.Errors);
        Assert.Contains("Mars/Olympus", error.ToString());
    }

    [Fact]
    public void The_default_views_are_used_and_fit_80_columns()
    {
        // Out-String is not in the hosted engine: Out-Default renders through the recording host instead.
        var r = _ps.Run("@($raw | ConvertTo-QTicketsSalesRow -Event $events)[0..4] | Out-Default; @($raw | ConvertTo-QTicketsSalesRow -Event $events -PerTicket)[0..4] | Out-Default");
        Assert.Null(r.Terminating);
        Assert.True(r.HostLines.Count > 0, string.Join("|", r.Errors));
        var lines = r.HostLines.Select(l => System.Text.RegularExpressions.Regex.Replace(l, @"\x1b\[[0-9;]*m", "")).ToList();
        var headers = lines.Where(l => l.TrimStart().StartsWith("order_id", StringComparison.Ordinal)).ToList();
        Assert.True(2 == headers.Count, string.Join("\n", lines));
        Assert.All(lines, l => Assert.True(l.TrimEnd().Length <= 120, l));
        Assert.Contains("tickets_sold", headers[0]);
        Assert.DoesNotContain("payload_json", headers[0]);
        Assert.Contains("basket_id", headers[1]);

        // The host is 120 wide and would cut longer lines, so the widths are checked in the definitions too: the
        // columns of fixed width and the last one's header fit 80 (the last column takes what is left).
        var views = System.Xml.Linq.XDocument.Load(Path.Combine(ModuleLayout.ModuleDir, "QTickets.Transform.Format.ps1xml")).Descendants("View").ToList();
        Assert.Equal(4, views.Count);
        foreach (var view in views)
        {
            var columns = view.Descendants("TableColumnHeader").ToList();
            var widths = columns.Select(h => h.Element("Width") is { } w ? int.Parse(w.Value) : 0).ToList();
            var last = columns[^1].Element("Label")?.Value ?? view.Descendants("TableColumnItem").Last().Element("PropertyName")!.Value;
            var total = widths.Sum() + widths.Count - 1 + (columns[^1].Element("Width") is null ? last.Length : 0);
            Assert.True(total <= 80, $"{view.Element("Name")!.Value}: {total} columns");
        }
    }
}
