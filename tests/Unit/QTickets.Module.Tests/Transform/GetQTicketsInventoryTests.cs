using System.Text.Json;
using QTickets.Module.Tests.Harness;
using QTickets.Tests.Shared;

namespace QTickets.Module.Tests.Transform;

public sealed class InventorySandbox : IDisposable
{
    public SandboxProcess Server { get; } = SandboxProcess.Start("--seed", "17", "--orders", "400", "--events", "4");
    public void Dispose() => Server.Dispose();
}

/// <summary>Get-QTicketsEvent | Get-QTicketsInventory in the real engine against the sandbox's seat maps.</summary>
public sealed class GetQTicketsInventoryTests(InventorySandbox sandbox) : IClassFixture<InventorySandbox>, IDisposable
{
    readonly PowerShellSession _ps = new();

    public void Dispose() => _ps.Dispose();

    RunResult Run(string script) =>
        _ps.Run(script, new Dictionary<string, object> { ["url"] = sandbox.Server.BaseUrl, ["token"] = sandbox.Server.Token });

    /// <summary>Σ max_quantity and Σ free_quantity of a show, read straight from the sandbox (not through the module).</summary>
    async Task<(long Total, long Left)> SeatsOf(long showId)
    {
        var seats = await sandbox.Server.GetAsync($"/shows/{showId}/seats", """{"select":["max_quantity","free_quantity"],"flat":true}""");
        long total = 0, left = 0;
        foreach (var seat in seats.GetProperty("data").EnumerateObject())
        {
            total += seat.Value.GetProperty("max_quantity").GetInt64();
            left += seat.Value.GetProperty("free_quantity").GetInt64();
        }
        return (total, left);
    }

    [Fact]
    public async Task Per_show_rows_sum_the_seat_maps_quantities_and_event_rows_sum_their_shows()
    {
        var perShow = Run("Get-QTicketsEvent -Token $token -BaseUrl $url | Where-Object { -not $_.DeletedAt } | Get-QTicketsInventory -Token $token -BaseUrl $url -PerShow");
        Assert.Empty(perShow.Errors);
        Assert.NotEmpty(perShow.Output);
        foreach (var row in perShow.Output)
        {
            var (total, left) = await SeatsOf(long.Parse((string)row.Properties["show_id"].Value));
            Assert.Equal(total, (long)(uint)row.Properties["tickets_total"].Value);
            Assert.Equal(left, (long)(uint)row.Properties["tickets_left"].Value);
        }
        // Sold tickets make a difference: the sandbox's seat maps follow the orders it sold.
        Assert.Contains(perShow.Output, r => (uint)r.Properties["tickets_left"].Value < (uint)r.Properties["tickets_total"].Value);

        var perEvent = Run("Get-QTicketsEvent -Token $token -BaseUrl $url | Where-Object { -not $_.DeletedAt } | Get-QTicketsInventory -Token $token -BaseUrl $url");
        Assert.Empty(perEvent.Errors);
        foreach (var ev in perEvent.Output)
        {
            var id = (string)ev.Properties["event_id"].Value;
            var shows = perShow.Output.Where(s => (string)s.Properties["event_id"].Value == id).ToList();
            Assert.Equal(shows.Sum(s => (long)(uint)s.Properties["tickets_total"].Value), (long)(uint)ev.Properties["tickets_total"].Value);
            Assert.Equal(shows.Sum(s => (long)(uint)s.Properties["tickets_left"].Value), (long)(uint)ev.Properties["tickets_left"].Value);
            Assert.Matches("^[0-9a-f]{32}$", (string)ev.Properties["_dedup_key"].Value);
        }
        // One snapshot time for every row of one command.
        Assert.Single(perEvent.Output.Select(o => o.Properties["snapshot_ts"].Value).Distinct());
    }
}
