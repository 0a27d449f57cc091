namespace QTickets.Module.Tests.Load;

/// <summary>
/// The legacy's auxiliary reference tables, filled by the scheduled run through the script and the real ClickHouse:
/// every discount, promo code and price colour the sandbox serves, once each however many runs, no personal data;
/// the clients table stays empty.
/// </summary>
[Collection("Load end-to-end")]
public sealed class ReferenceListTests
{
    [Fact]
    public async Task Discounts_promo_codes_and_price_colours_are_loaded_whole_and_once()
    {
        using var rig = new LoadRig("--seed", "31", "--orders", "300", "--history-days", "5");
        var info = await rig.Sandbox.InfoAsync();
        var discounts = info.GetProperty("discounts").GetInt32();
        var promoCodes = info.GetProperty("promoCodes").GetInt32();
        Assert.True(discounts > 0 && promoCodes > 0, $"the sandbox serves no reference lists: {info}");

        for (var run = 1; run <= 2; run++)
        {
            var r = await rig.ScriptAsync();
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal(discounts, rig.Ch.Count($"SELECT count() FROM {rig.Db}.stg_qtickets_api_discounts_raw FINAL"));
            Assert.Equal(promoCodes, rig.Ch.Count($"SELECT count() FROM {rig.Db}.stg_qtickets_api_promo_codes_raw FINAL"));
            Assert.Equal(15, rig.Ch.Count($"SELECT count() FROM {rig.Db}.stg_qtickets_api_price_shades_raw FINAL"));
        }
        // Unchanged lists replace nothing on a second run: the source's times are the versions.
        Assert.Equal(discounts, rig.Ch.Count($"SELECT uniqExact(_ver, discount_id) FROM {rig.Db}.stg_qtickets_api_discounts_raw"));
        Assert.Equal(0, rig.Ch.Count($"SELECT countIf(code = '') FROM {rig.Db}.stg_qtickets_api_promo_codes_raw FINAL"));
        Assert.Equal(0, rig.Ch.Count($"SELECT countIf(discount_type = '') FROM {rig.Db}.stg_qtickets_api_promo_codes_raw FINAL " +
                                     $"WHERE toInt64(JSONExtractInt(payload_json, 'discount_id')) IN (SELECT toInt64(discount_id) FROM {rig.Db}.stg_qtickets_api_discounts_raw)"));
        Assert.Equal(0, rig.Ch.Count($"SELECT count() FROM {rig.Db}.stg_qtickets_api_clients_raw"));
        rig.AssertNoSecretsOrPersonalData();
    }
}
