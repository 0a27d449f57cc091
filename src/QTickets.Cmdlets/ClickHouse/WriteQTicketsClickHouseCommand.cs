using System.Collections;
using System.Diagnostics;
using System.Management.Automation;
using QTickets.Core.Configuration;
using QTickets.Core.Contracts;
using QTickets.Core.Transform;
using QTickets.Cmdlets.ClickHouse;

namespace QTickets.Cmdlets.ClickHouse;

/// <summary>
/// Streams pipeline rows into ClickHouse in batches: the module's SalesRow and InventoryRow go to their staging
/// tables as typed rows (the loader's writer); any other objects need -Table (columns matched by property name, or
/// -ColumnMap). Rows never pile up:
/// each goes into the current batch, and full batches wait in a small bounded channel for the insert task, so the
/// pipeline slows down instead of buffering. Every batch carries a content-hash insert_deduplication_token, so a
/// retried batch is kept once.
/// </summary>
[Cmdlet(VerbsCommunications.Write, "QTicketsClickHouse", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(WriteResult))]
public sealed class WriteQTicketsClickHouseCommand : ClickHouseCmdlet
{
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [AllowNull]
    public PSObject? InputObject { get; set; }

    /// <summary>Target table (in the configured database); needed for rows other than SalesRow / InventoryRow.</summary>
    [Parameter(Position = 0)] [ValidateNotNullOrEmpty] [ArgumentCompleter(typeof(TableNameCompleter))] public string? Table { get; set; }

    /// <summary>Column = property pairs: only these columns are written (the others take their defaults).</summary>
    [Parameter] public IDictionary? ColumnMap { get; set; }

    [Parameter] [ValidateRange(1, 1_000_000)] public int BatchSize { get; set; } = 100_000;

    /// <summary>Emit one WriteResult per table (rows, batches, elapsed).</summary>
    [Parameter] public SwitchParameter PassThru { get; set; }

    sealed class Target
    {
        public required string Table { get; init; }
        public ISink? Sink { get; set; }
        public long Rows { get; set; }
        public bool Skipped { get; set; }
    }

    /// <summary>One table's writer, with the way a pipeline object becomes its row.</summary>
    interface ISink : IAsyncDisposable
    {
        ValueTask AddAsync(object input, CancellationToken cancellation);
        Task<WriteResult> CompleteAsync(CancellationToken cancellation);
    }

    sealed class Sink<TRow>(ITableWriter<TRow> writer, Func<object, TRow> row) : ISink
    {
        public ValueTask AddAsync(object input, CancellationToken cancellation) => writer.AddAsync(row(input), cancellation);
        public Task<WriteResult> CompleteAsync(CancellationToken cancellation) => writer.CompleteAsync(cancellation);
        public ValueTask DisposeAsync() => writer.DisposeAsync();
    }

    readonly Dictionary<string, Target> _targets = new(StringComparer.Ordinal);
    readonly Stopwatch _clock = new();
    bool _whatIf;

    protected override void BeginProcessing()
    {
        _whatIf = IsWhatIf;
        _clock.Start();
    }

    protected override void ProcessRecord()
    {
        if (InputObject is null) return;
        var target = TargetFor(InputObject);
        if (target.Skipped) return;
        target.Rows++;
        if (_whatIf) return;
        try
        {
            var sink = target.Sink ??= OpenSink(target, InputObject);
            var input = InputObject;
            RunInline(ct => sink.AddAsync(input, ct));
        }
        catch (ClickHouseStoreException ex)
        {
            // A value that does not fit fails its row alone: the rows before it are finished first, so the table
            // holds exactly the input up to that row and a re-run after the fix adds the rest (tokens drop repeats).
            if (ex.Failure == ClickHouseFailure.TypeMismatch && target.Sink is not null) FinishBefore(target);
            Fail(ex, target.Table);
        }
        WritePosted();
    }

    void FinishBefore(Target failed)
    {
        foreach (var target in _targets.Values)
        {
            if (target.Sink is not { } sink) continue;
            try
            {
                var result = Run(ct => sink.CompleteAsync(ct));
                WriteWarning(target == failed
                    ? $"Wrote the {result.Rows} rows before the failing one to {result.Database}.{result.Table}; nothing after it."
                    : $"Wrote {result.Rows} rows to {result.Database}.{result.Table} before stopping.");
            }
            catch (ClickHouseStoreException finish)
            {
                WriteWarning($"Could not finish the rows before the failing one in {target.Table}: {finish.Message}");
            }
        }
    }

    Target TargetFor(PSObject input)
    {
        // The module's own row types know their table, so a pipeline from ConvertTo-QTicketsSalesRow needs no -Table.
        var table = Table ?? input.BaseObject switch
        {
            SalesRow => KnownTables.OrdersStaging,
            InventoryRow => KnownTables.InventoryStaging,
            _ => null,
        };
        if (table is null)
            ThrowTerminatingError(new ErrorRecord(
                new PSArgumentException($"Rows of type {input.BaseObject.GetType().FullName} have no default table: pass -Table (and -ColumnMap if " +
                                        "their property names differ from the columns)."),
                "QTickets.ClickHouse.TableRequired", ErrorCategory.InvalidArgument, input));
        if (_targets.TryGetValue(table!, out var target)) return target;
        target = new Target { Table = table! };
        _targets[table!] = target;
        // Asked once per table, when its first row arrives: rows stream in and are written batch by batch, so their
        // number is known only at the end (buffering them to count first would hold the whole input in memory, asking
        // per batch would interrupt a bulk write every BatchSize rows). -WhatIf counts them without writing.
        var where = WriteTarget.Of(LoadConfig(ConfigNeeds.ClickHouse), table!);
        if (!_whatIf && !ShouldProcess($"Write the piped rows to {where} in batches of {BatchSize} (streamed: the count is known at the end; -WhatIf counts them)",
                $"Write the piped rows to {where}, in batches of {BatchSize}?", "Write-QTicketsClickHouse"))
            target.Skipped = true;
        return target;
    }

    /// <summary>
    /// The module's own rows go to their own table through the typed writer (no boxing, the payload's UTF-8 bytes as
    /// the transform made them); any other object, or a -ColumnMap, through a <see cref="RowMap"/>.
    /// </summary>
    ISink OpenSink(Target target, PSObject sample)
    {
        var options = new WriteOptions { BatchSize = BatchSize, ProgressId = 1 + _targets.Count };
        if (Table is null && ColumnMap is not { Count: > 0 })
        {
            switch (sample.BaseObject)
            {
                case SalesRow:
                    return new Sink<SalesRow>(Run(Store, (store, ct) => store.OpenWriterAsync<SalesRow>(target.Table, options, Queue, ct)), o => (SalesRow)((PSObject)o).BaseObject);
                case InventoryRow:
                    return new Sink<InventoryRow>(Run(Store, (store, ct) => store.OpenWriterAsync<InventoryRow>(target.Table, options, Queue, ct)), o => (InventoryRow)((PSObject)o).BaseObject);
            }
        }
        var columns = Run(Store, (store, ct) => store.DescribeTableAsync(target.Table, ct));
        if (columns.Count == 0)
            throw new ClickHouseStoreException(ClickHouseFailure.TableMissing,
                $"Table {Store.Database}.{target.Table} does not exist on {Store.Endpoint} (or user cannot see it). Run Initialize-QTicketsClickHouse " +
                "as an administrator to create the schema, or check -Table and CLICKHOUSE_DB.", table: target.Table);
        RowMap map;
        try
        {
            map = RowMap.Create(target.Table, columns, sample, ColumnMap);
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "QTickets.ClickHouse.ColumnMapInvalid", ErrorCategory.InvalidArgument, ColumnMap));
            throw; // unreachable
        }
        return new Sink<object?[]>(Store.OpenWriter(target.Table, map.Columns, options, Queue), map.Values);
    }

    protected override void EndProcessing()
    {
        foreach (var target in _targets.Values)
        {
            var batches = (int)((target.Rows + BatchSize - 1) / BatchSize);
            if (_whatIf)
            {
                var where = WriteTarget.Of(LoadConfig(ConfigNeeds.ClickHouse), target.Table);
                ShouldProcess($"Write {target.Rows} rows in {batches} batches of up to {BatchSize} to {where}",
                    $"Write {target.Rows} rows to {where}?", "Write-QTicketsClickHouse");
                if (PassThru) WriteObject(new WriteResult { Table = target.Table, Rows = target.Rows, Batches = batches, Elapsed = _clock.Elapsed, WhatIf = true });
                continue;
            }
            if (target.Sink is not { } sink) continue;
            try
            {
                var result = Run(ct => sink.CompleteAsync(ct));
                WriteVerbose($"Wrote {result.Rows} rows to {result.Database}.{result.Table} in {result.Batches} batches, {result.Elapsed.TotalSeconds:0.###} s");
                if (PassThru) WriteObject(result);
            }
            catch (ClickHouseStoreException ex)
            {
                Fail(ex, target.Table);
            }
        }
    }

    protected override void DisposeWriters()
    {
        foreach (var target in _targets.Values)
            if (target.Sink is { } sink)
                sink.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _targets.Clear();
    }
}
