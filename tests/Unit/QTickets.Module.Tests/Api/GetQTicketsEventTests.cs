using System.Management.Automation;
using QTickets.Module.Tests.Harness;
using QTickets.Tests.Shared;

namespace QTickets.Module.Tests.Api;

public sealed class EventSandbox : IDisposable
{
    public SandboxProcess Server { get; } = SandboxProcess.Start("--seed", "31", "--orders", "50");
    public void Dispose() => Server.Dispose();
}

/// <summary>Get-QTicketsEvent in the real PowerShell engine against the sandbox process.</summary>
public sealed class GetQTicketsEventTests(EventSandbox sandbox) : IClassFixture<EventSandbox>, IDisposable
{
    readonly PowerShellSession _ps = new();

    public void Dispose() => _ps.Dispose();

    RunResult Run(string script) =>
        _ps.Run(script, new Dictionary<string, object> { ["url"] = sandbox.Server.BaseUrl, ["token"] = sandbox.Server.Token });

    [Fact]
    public async Task Emits_every_event_over_all_pages_with_shows_city_and_time_zone()
    {
        var raw = await sandbox.Server.GetAsync("/events", """{"per_page":1000}""");
        var expected = raw.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()).ToList();

        var r = Run("Get-QTicketsEvent -Token $token -BaseUrl $url -Verbose");

        Assert.Empty(r.Errors);
        Assert.Equal(expected, r.Output.Select(o => (long)o.Properties["Id"].Value));
        Assert.True(r.Verbose.Count(l => l.StartsWith("GET /events page", StringComparison.Ordinal)) >= 2, "more than one page was read");
        var live = r.Output.First(o => o.Properties["DeletedAt"].Value is null);
        Assert.NotEmpty((System.Collections.IEnumerable)live.Properties["Shows"].Value);
        Assert.NotEqual("", live.Properties["City"].Value);
        Assert.NotNull(TimeZoneInfo.FindSystemTimeZoneById((string)live.Properties["CityTimeZone"].Value));
        Assert.Equal(ProgressRecordType.Completed, r.Progress[^1].RecordType);
    }

    [Fact]
    public void Reads_single_events_and_reports_an_unknown_id_as_ObjectNotFound()
    {
        var all = Run("Get-QTicketsEvent -Token $token -BaseUrl $url");
        var id = (long)all.Output[0].Properties["Id"].Value;

        var r = Run($"{id}, 999999999 | Get-QTicketsEvent -Token $token -BaseUrl $url");

        Assert.Equal(new[] { id }, r.Output.Select(o => (long)o.Properties["Id"].Value));
        var error = Assert.Single(r.Errors);
        Assert.Equal("QTickets.Api.EventNotFound,QTickets.Cmdlets.Api.GetQTicketsEventCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal(999999999L, error.TargetObject);
    }
}
