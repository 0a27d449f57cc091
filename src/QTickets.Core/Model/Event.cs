namespace QTickets.Core.Model;

/// <summary>A QTickets event (GET /events) with its shows and the city it takes place in.</summary>
public sealed class Event
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public bool IsActive { get; set; }
    public long CityId { get; set; }
    /// <summary>The city's name as QTickets spells it; the one spelling used in every table.</summary>
    public string City { get; set; } = "";
    /// <summary>IANA time zone of the city (the API's own timestamps are Moscow time regardless).</summary>
    public string CityTimeZone { get; set; } = "";
    public string PlaceName { get; set; } = "";
    public string PlaceAddress { get; set; } = "";
    public string CurrencyId { get; set; } = "";
    public string Url { get; set; } = "";
    public IReadOnlyList<Show> Shows { get; set; } = Array.Empty<Show>();
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }

    public override string ToString() => $"Event {Id} {Name}";
}

/// <summary>One performance (date and time) of an event.</summary>
public sealed class Show
{
    public long Id { get; set; }
    public long EventId { get; set; }
    public string Name { get; set; } = "";
    public bool IsActive { get; set; }
    public DateTimeOffset? StartDate { get; set; }
    public DateTimeOffset? FinishDate { get; set; }
    public DateTimeOffset? OpenDate { get; set; }
    public DateTimeOffset? SaleStartDate { get; set; }
    public DateTimeOffset? SaleFinishDate { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }

    public override string ToString() => $"Show {Id}";
}
