using QTickets.Load;

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
    public void A_watermark_in_the_future_never_gives_an_empty_window()
    {
        var w = LoadWindow.Choose(Now, Now.AddHours(5), null, 2, 720);
        Assert.Equal((Now.AddHours(-2), Now), Window(w));
    }

    static (DateTimeOffset, DateTimeOffset) Window(LoadWindow w) => (w.Start, w.End);
}
