using System.Globalization;
using QTickets.Core.Json;
using QTickets.Core.Model;

namespace QTickets.Core.Transform;

/// <summary>
/// The reference lists the legacy kept beside the orders (discounts, promo codes, price colours), as rows of its
/// auxiliary staging tables. They hold no personal data; their payloads are masked like every stored text anyway.
/// A row's _ver is its source's newest time (updated or deleted), so re-reading an unchanged list replaces nothing;
/// colours carry no time, so theirs is the run's.
/// </summary>
public static class ReferenceRows
{
    public static DiscountRow Of(Discount d, WallClock clock, DateTimeOffset now) => new()
    {
        discount_id = Id(d.Id), name = d.Name, discount_type = d.Type, discount_value = null,
        payload_json = PersonalData.MaskText(d.Payload), _ver = Version(d.UpdatedAt, d.DeletedAt), _ingest_ts = clock.Of(now),
    };

    /// <param name="discountType">The type of the promo code's discount (a promo code grants a discount).</param>
    public static PromoCodeRow Of(PromoCode p, string discountType, WallClock clock, DateTimeOffset now) => new()
    {
        promo_code_id = Id(p.Id), code = p.Code, discount_type = discountType, discount_value = null,
        valid_from = p.ActiveFrom is { } from ? clock.Of(from) : null, valid_to = p.ActiveTo is { } to ? clock.Of(to) : null,
        payload_json = PersonalData.MaskText(p.Payload), _ver = Version(p.UpdatedAt, p.DeletedAt), _ingest_ts = clock.Of(now),
    };

    public static PriceShadeRow Of(ColorTheme c, WallClock clock, DateTimeOffset now) => new()
    {
        shade_id = Id(c.Id), name = c.Color, color = c.Color, payload_json = PersonalData.MaskText(c.Payload),
        _ver = RowVersion.Microseconds(now), _ingest_ts = clock.Of(now),
    };

    static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    static ulong Version(DateTimeOffset updated, DateTimeOffset? deleted) =>
        RowVersion.Microseconds(deleted is { } d && d > updated ? d : updated);
}

/// <summary>A stg_qtickets_api_discounts_raw row (legacy columns; the API serves no value for a discount).</summary>
public sealed class DiscountRow
{
    public string discount_id { get; init; } = "";
    public string name { get; init; } = "";
    public string discount_type { get; init; } = "";
    public double? discount_value { get; init; }
    public string payload_json { get; init; } = "{}";
    public ulong _ver { get; init; }
    public DateTime _ingest_ts { get; init; }
}

/// <summary>A stg_qtickets_api_promo_codes_raw row (legacy columns; validity in Moscow wall-clock time).</summary>
public sealed class PromoCodeRow
{
    public string promo_code_id { get; init; } = "";
    public string code { get; init; } = "";
    public string discount_type { get; init; } = "";
    public double? discount_value { get; init; }
    public DateTime? valid_from { get; init; }
    public DateTime? valid_to { get; init; }
    public string payload_json { get; init; } = "{}";
    public ulong _ver { get; init; }
    public DateTime _ingest_ts { get; init; }
}

/// <summary>A stg_qtickets_api_price_shades_raw row: one price colour (`/color-themes`); its name is its colour.</summary>
public sealed class PriceShadeRow
{
    public string shade_id { get; init; } = "";
    public string name { get; init; } = "";
    public string color { get; init; } = "";
    public string payload_json { get; init; } = "{}";
    public ulong _ver { get; init; }
    public DateTime _ingest_ts { get; init; }
}
