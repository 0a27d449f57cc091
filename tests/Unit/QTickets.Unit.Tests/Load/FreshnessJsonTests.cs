using System.Text.Json;
using QTickets.Core.Contracts;
using QTickets.Core.Load;
using QTickets.Core.Transform;

namespace QTickets.Unit.Tests.Load;

/// <summary>The monitoring JSON line: every time carries its offset, so a machine needs no zone to read it.</summary>
public class FreshnessJsonTests
{
    static readonly DateTime Now = new(2026, 11, 20, 12, 0, 0);

    static JsonElement Json(TimeZoneInfo? zone)
    {
        var report = FreshnessReport.Judge("qtickets_api", new FreshnessFacts
        {
            NewestSale = Now.AddMinutes(-10), NewestInventory = Now.AddMinutes(-20), Runs = 96, FailedRuns = 0,
            LastRunStatus = "ok", LastRunAt = Now.AddMinutes(-5), LastOkRunAt = Now.AddMinutes(-5),
        }, Now, TimeSpan.FromHours(2), 5, TimeSpan.FromHours(24), checkInventory: true, zone);
        using var doc = JsonDocument.Parse(report.ToJson());
        return doc.RootElement.Clone();
    }

    [Fact]
    public void Every_time_in_the_json_line_has_the_offset_of_the_configured_zone()
    {
        var moscow = Json(null);
        Assert.Equal("2026-11-20T12:00:00+03:00", moscow.GetProperty("checked_at").GetString());
        Assert.Equal("2026-11-20T11:50:00+03:00", moscow.GetProperty("newest_sale").GetString());
        Assert.Equal("2026-11-20T11:40:00+03:00", moscow.GetProperty("newest_inventory").GetString());
        Assert.Equal("2026-11-20T11:55:00+03:00", moscow.GetProperty("last_ok_run").GetString());
        var novosibirsk = Json(WallClock.For("Asia/Novosibirsk").Zone);
        Assert.Equal("2026-11-20T12:00:00+07:00", novosibirsk.GetProperty("checked_at").GetString());
        foreach (var p in moscow.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String && DateTime.TryParse(p.Value.GetString(), out _)))
            Assert.Matches(@"[+-]\d\d:\d\d$", p.Value.GetString()!);
    }
}
