using QTickets.Core.Model;
using QTickets.Core.Transform;

namespace QTickets.Unit.Tests.Transform;

public class RowVersionTests
{
    static readonly DateTimeOffset T = new(2026, 11, 20, 12, 0, 0, TimeSpan.FromHours(3));

    [Fact]
    public void An_order_is_versioned_by_its_newest_source_time_in_microseconds()
    {
        var order = new Order { Id = 1, UpdatedAt = T, PayedAt = T.AddMinutes(-5) };
        Assert.Equal((ulong)T.ToUnixTimeMilliseconds() * 1000, RowVersion.Of(order));
        // A refunded basket stamped later than the order: the basket's time counts.
        order.Baskets = new[] { new Basket { Id = 1, UpdatedAt = T.AddSeconds(7).AddTicks(30) } };
        Assert.Equal((ulong)T.AddSeconds(7).ToUnixTimeMilliseconds() * 1000 + 3, RowVersion.Of(order));
        order.DeletedAt = T.AddHours(1);
        Assert.Equal((ulong)T.AddHours(1).ToUnixTimeMilliseconds() * 1000, RowVersion.Of(order));
    }

    [Fact]
    public void The_converter_uses_the_source_version_unless_given_one()
    {
        var ev = new Event { Id = 5, Name = "E", City = "Москва" };
        var order = new Order { Id = 9, EventId = 5, Payed = true, PayedAt = T, UpdatedAt = T.AddMinutes(1), CurrencyId = "RUB" };
        var clock = WallClock.For("Europe/Moscow");
        Assert.Equal(RowVersion.Of(order), new SalesRowConverter(clock).ToSalesRow(order, ev, out _)!._ver);
        Assert.Equal(17UL, new SalesRowConverter(clock, 17).ToSalesRow(order, ev, out _)!._ver);
    }

    [Fact]
    public void Source_versions_outrank_every_epoch_second_clock_version_and_a_missing_time_is_zero()
    {
        Assert.True(RowVersion.Microseconds(new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero)) > (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds());
        Assert.Equal(0UL, RowVersion.Of(new Order { Id = 1 }));
        Assert.Equal(RowVersion.Microseconds(T), RowVersion.Of(new Event { Id = 1, UpdatedAt = T }));
    }
}
