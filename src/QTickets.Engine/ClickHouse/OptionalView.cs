namespace QTickets.Engine.ClickHouse;

/// <summary>A view created only when the tables (and their columns) it reads exist; an empty column list asks only for the object.</summary>
public sealed record OptionalView(string Name, IReadOnlyDictionary<string, string[]> Requires, string Ddl);
