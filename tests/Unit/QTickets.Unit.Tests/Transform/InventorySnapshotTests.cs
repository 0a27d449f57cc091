using QTickets.Core.Model;
using QTickets.Core.Transform;

namespace QTickets.Unit.Tests.Transform;

public class InventorySnapshotTests
{
    static readonly DateTimeOffset Now = new(2025, 11, 9, 9, 0, 0, 123, TimeSpan.Zero);

    static Event Nutcracker() => new()
    {
        Id = 29553, Name = " Щелкунчик NEW (Томск) ", City = "Томск",
        Shows = new[]
        {
            new Show { Id = 185052, EventId = 29553, StartDate = new DateTimeOffset(2025, 12, 20, 12, 0, 0, TimeSpan.FromHours(3)) },
            new Show { Id = 190240, EventId = 29553 },
            new Show { Id = 190245, EventId = 29553, DeletedAt = Now },
        },
    };

    [Fact]
    public void An_event_row_sums_its_shows_and_zero_stays_zero()
    {
        var snapshot = new InventorySnapshot(Now, WallClock.Moscow, 7);
        var ev = Nutcracker();
        var shows = InventorySnapshot.ShowsOf(ev).ToList();
        Assert.Equal(new long[] { 185052, 190240 }, shows.Select(s => s.Id));
        var rows = new[] { snapshot.ForShow(ev, shows[0], 500, 0, 1), snapshot.ForShow(ev, shows[1], 120, 35, 120) };
        Assert.Equal(new DateTime(2025, 12, 20, 12, 0, 0), rows[0].show_start);
        Assert.Null(rows[1].show_start);

        var row = snapshot.ForEvent(ev, rows);
        Assert.Equal(new DateTime(2025, 11, 9, 12, 0, 0), row.snapshot_ts); // Moscow, whole seconds
        Assert.Equal(("29553", "Щелкунчик NEW (Томск)", "Томск", 620u, 35u, 7ul, 2), (row.event_id, row.event_name, row.city, row.tickets_total, row.tickets_left, row._ver, row.shows));
        Assert.Equal(DedupKey.ForInventory(29553, row.snapshot_ts), row._dedup_key);

        var soldOut = snapshot.ForEvent(ev, new[] { snapshot.ForShow(ev, shows[0], 500, 0, 1) });
        Assert.Equal(0u, soldOut.tickets_left);
        var noShows = snapshot.ForEvent(new Event { Id = 1 }, Array.Empty<ShowInventoryRow>());
        Assert.Equal((0u, 0u, 0), (noShows.tickets_total, noShows.tickets_left, noShows.shows));
    }

    [Fact]
    public void A_negative_quantity_counts_as_zero_not_as_four_billion()
    {
        var snapshot = new InventorySnapshot(Now, WallClock.Moscow, 1);
        var ev = Nutcracker();
        var row = snapshot.ForShow(ev, ev.Shows[0], 10, -1, 10);
        Assert.Equal((10u, 0u), (row.tickets_total, row.tickets_left));
    }
}
