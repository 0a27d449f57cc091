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

/// <summary>A column as DESCRIBE TABLE reports it.</summary>
public sealed record TableColumn(string Name, string Type);

/// <summary>What one recomputation of the daily facts wrote.</summary>
public sealed class DailyFactsResult
{
    public IReadOnlyList<DateOnly> Days { get; init; } = Array.Empty<DateOnly>();
    public long SalesDailyRows { get; init; }
    public long SalesUtmDailyRows { get; init; }
    public ulong Version { get; init; }

    public override string ToString() => $"{Days.Count} days: {SalesDailyRows} daily rows, {SalesUtmDailyRows} UTM daily rows";
}

/// <summary>One legacy smoke check: Test-QTicketsClickHouse emits one per check.</summary>
public sealed class SmokeCheckResult
{
    public string Name { get; init; } = "";
    public bool Passed { get; init; }
    /// <summary>The measured value as text (a count, a date, a percentage).</summary>
    public string Value { get; init; } = "";
    public string Detail { get; init; } = "";

    public override string ToString() => $"{(Passed ? "PASS" : "FAIL")} {Name} = {Value} {Detail}".TrimEnd();
}

/// <summary>
/// What a legacy loader wrote since the last run, found by its fingerprints and removed: staging rows keyed by its
/// recipe (md5 of order, event, time and revenue, not of the order id alone), and dim_events and inventory rows
/// whose city is a Python dict. <see cref="Days"/> are the sale days of the removed staging rows, whose facts must be recomputed.
/// </summary>
public sealed class LegacyWrites
{
    public long StagingRows { get; init; }
    public long EventRows { get; init; }
    public long InventoryRows { get; init; }
    public IReadOnlyList<DateOnly> Days { get; init; } = Array.Empty<DateOnly>();

    public bool Any => StagingRows + EventRows + InventoryRows > 0;
}
