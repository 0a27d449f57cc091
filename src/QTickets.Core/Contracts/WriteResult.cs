namespace QTickets.Core.Contracts;

/// <summary>What Write-QTicketsClickHouse -PassThru returns per table.</summary>
public sealed class WriteResult
{
    public string Database { get; init; } = "";
    public string Table { get; init; } = "";
    public long Rows { get; init; }
    public int Batches { get; init; }
    public TimeSpan Elapsed { get; init; }
    /// <summary>True for -WhatIf: counted, nothing sent.</summary>
    public bool WhatIf { get; init; }

    public override string ToString() => $"{Table}: {Rows} rows in {Batches} batches, {Elapsed.TotalSeconds:0.###} s";
}
