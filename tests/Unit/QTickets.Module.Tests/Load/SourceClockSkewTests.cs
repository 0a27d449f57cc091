using System.Globalization;

namespace QTickets.Module.Tests.Load;

/// <summary>
/// The sandbox's clock-skew lie through the scheduled script and the real ClickHouse: while it lasts, every order's
/// and basket's updated_at is served 30 days ahead (an API server whose clock runs ahead); then the clock is
/// corrected and orders loaded during the lie are refunded and cancelled. Staging versions come from updated_at, so
/// the rows of the skewed readings carry versions far above the corrected ones: the loader's floor (one above every
/// staged version) must still let each later reading replace them, or FINAL keeps the sales that were refunded.
/// </summary>
[Collection("Load end-to-end")]
public sealed class SourceClockSkewTests
{
    [Fact]
    public async Task Readings_stamped_by_a_clock_ahead_are_replaced_once_the_clock_is_corrected()
    {
        using var rig = new LoadRig("--seed", "47", "--orders", "900", "--history-days", "10");
        var corrected = DateTimeOffset.Parse(await rig.NowAsync(), CultureInfo.InvariantCulture).AddMinutes(30);
        var until = corrected.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);
        await rig.Sandbox.SetLiesAsync("{\"skewUpdatedAt\":{\"seconds\":2592000,\"until\":\"" + until + "\"}}");

        // During the lie the figures are true (only the stamps are off): the run is ok and equals the truth.
        var during = await rig.ScriptAsync();
        Assert.True(during.ExitCode == 0, during.ToString());
        await rig.AssertTotalsMatchTruthAsync("during the skew");
        var skewed = rig.Ch.Count($"SELECT max(_ver) FROM {rig.Db}.stg_qtickets_api_orders_raw");
        var now = DateTimeOffset.Parse(await rig.NowAsync(), CultureInfo.InvariantCulture);
        Assert.True(skewed > (now.AddDays(20) - DateTimeOffset.UnixEpoch).Ticks / 10, $"no row carries a skewed version ({skewed})");

        // The clock is corrected; a day of sales, refunds and cancellations follows, some of orders loaded above.
        var moved = await rig.Sandbox.AdvanceClockAsync(TimeSpan.FromHours(24));
        Assert.True(moved.GetProperty("refunded").GetInt32() + moved.GetProperty("cancelledPaid").GetInt32() > 0,
            $"nothing paid was refunded or cancelled: {moved}");
        var after = await rig.ScriptAsync();
        Assert.True(after.ExitCode == 0, after.ToString());
        var json = LoadRig.TwoLines(after.StdOut, 0);
        Assert.Equal("ok", json.GetProperty("status").GetString());
        await rig.AssertTotalsMatchTruthAsync("after the clock was corrected");
        Assert.True(rig.Ch.Count($"SELECT max(_ver) FROM {rig.Db}.stg_qtickets_api_orders_raw") > skewed);
        rig.AssertNoSecretsOrPersonalData();
    }
}
