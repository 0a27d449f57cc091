using QTickets.Core.Load;

namespace QTickets.Unit.Tests.Load;

public class LoadWindowTests
{
    static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.FromHours(3));

    [Fact]
    public void First_run_backfills() =>
        Assert.Equal((Now.AddHours(-720), Now), Window(LoadWindow.Choose(Now, null, null, 2, 720)));

    [Fact]
    public void Later_runs_start_at_the_watermark_minus_the_lookback() =>
        Assert.Equal((Now.AddMinutes(-15).AddHours(-2), Now), Window(LoadWindow.Choose(Now, Now.AddMinutes(-15), null, 2, 720)));

    [Fact]
    public void SinceHours_forces_the_window_whatever_the_watermark() =>
        Assert.Equal((Now.AddHours(-24), Now), Window(LoadWindow.Choose(Now, Now.AddMinutes(-15), 24, 2, 720)));

    [Fact]
    public void First_run_is_a_backfill_and_later_runs_are_not()
    {
        Assert.True(LoadWindow.Choose(Now, null, null, 2, 720).Backfill);
        Assert.False(LoadWindow.Choose(Now, Now.AddMinutes(-15), null, 2, 720).Backfill);
        Assert.False(LoadWindow.Choose(Now, null, 24, 2, 720).Backfill);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5 * 3600)]
    public void A_watermark_ahead_of_the_clock_is_not_trusted_the_run_backfills(int secondsAhead)
    {
        // A run on a clock ahead wrote it: what it loaded, by this clock, is unknown.
        var w = LoadWindow.Choose(Now, Now.AddSeconds(secondsAhead), null, 2, 720);
        Assert.Equal((Now.AddHours(-720), Now), Window(w));
        Assert.True(w.Backfill);
        Assert.Contains("ahead of the clock", w.Reason);
    }

    [Fact]
    public void A_watermark_equal_to_now_is_trusted() =>
        Assert.Equal((Now.AddHours(-2), Now), Window(LoadWindow.Choose(Now, Now, null, 2, 720)));

    static (DateTimeOffset, DateTimeOffset) Window(LoadWindow w) => (w.Start, w.End);
}
