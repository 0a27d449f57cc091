namespace QTickets.Core.Contracts;

/// <summary>
/// A legacy view that also reads another integration's tables: created (or replaced) by Initialize-QTicketsClickHouse
/// when they exist, otherwise skipped, with <see cref="Reason"/> naming what is missing.
/// </summary>
public sealed record OptionalViewOutcome(string Name, bool Created, string Reason);
