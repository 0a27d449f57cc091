namespace QTickets.Core.Webhooks;

/// <summary>What staging did with one delivered order.</summary>
public enum StageOutcome
{
    /// <summary>Its row is in staging now.</summary>
    Written,
    /// <summary>Staging already holds this state of the order or a newer one: a duplicate or a late delivery.</summary>
    AlreadyStaged,
    /// <summary>A newer state of the same order arrived in the same batch and was written instead.</summary>
    Superseded,
}

/// <summary>The outcome, the _ver written (or standing) and the sale days whose facts must be recomputed.</summary>
public sealed record StageResult(StageOutcome Outcome, ulong Version, IReadOnlyList<DateOnly> Days);
