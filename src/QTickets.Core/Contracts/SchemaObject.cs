namespace QTickets.Core.Contracts;

/// <summary>
/// A table or view the schema's migrations create, with the statement that creates it as it stands now (the
/// last one for that name in the migrations). Initialize-QTicketsClickHouse recreates one from it when the
/// migration is recorded as applied but the object does not exist (dropped by hand, or lost with its disk).
/// </summary>
/// <param name="Kind">"table" or "view".</param>
/// <param name="Migration">The version of the migration whose statement creates it.</param>
public sealed record SchemaObject(string Name, string Kind, int Migration, string Statement);
