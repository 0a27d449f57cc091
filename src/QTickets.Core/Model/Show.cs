namespace QTickets.Core.Model;

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
