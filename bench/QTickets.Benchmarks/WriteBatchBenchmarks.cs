using System.Net;
using BenchmarkDotNet.Attributes;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO;
using QTickets.Core.Contracts;
using QTickets.Engine.ClickHouse;
using QTickets.Cmdlets.ClickHouse;
using QTickets.Core.Transform;

namespace QTickets.Benchmarks;

/// <summary>
/// The writer's per-row cost without the network: 1000 SalesRows (512 B payload_json each, like
/// bench/write-vs-curl.sh) through what Write-QTicketsClickHouse does per row (RowMap.Values), then either
/// the writer before (ClickHouse.Driver's InsertBinaryAsync serializing an object[] batch, LZ4) or the writer
/// now (TableWriter: each row encoded by ColumnEncoder into an EncodedBatch, its XxHash128 token, the bytes sent
/// by InsertRawStreamAsync), into an HttpClient whose handler reads the request body to the end and answers 200
/// (no socket, no server). OperationsPerInvoke makes every figure per row; compare with the plain-deserialize
/// floor of ParseAndConvertBenchmarks (per order).
/// </summary>
[MemoryDiagnoser]
public class WriteBatchBenchmarks
{
    const int Rows = 1000;
    static readonly TableColumn[] s_columns =
    {
        new("order_id", "String"), new("event_id", "String"), new("city", "LowCardinality(String)"),
        new("utm_source", "LowCardinality(String)"), new("utm_medium", "LowCardinality(String)"), new("utm_campaign", "String"),
        new("utm_content", "String"), new("utm_term", "String"), new("sale_ts", "DateTime"), new("tickets_sold", "UInt32"),
        new("revenue", "Decimal(18, 2)"), new("currency", "LowCardinality(String)"), new("payload_json", "String"),
        new("_ver", "UInt64"), new("_dedup_key", "FixedString(32)"),
    };

    SalesRow[] _rows = null!;
    object?[][] _values = null!;
    RowMap _map = null!;
    string[] _names = null!;
    ColumnEncoder[] _encoders = null!;
    ChunkPool _pool = null!;
    ClickHouseClient _compressed = null!, _plain = null!;
    InsertOptions _options = null!, _lz4 = null!;

    [GlobalSetup]
    public void Setup()
    {
        _rows = Enumerable.Range(0, Rows).Select(i => SalesRowTsv.Row(i, 512)).ToArray();
        _map = RowMap.Create(KnownTables.OrdersStaging, s_columns, _rows[0], null);
        if (_map.Columns.Count != s_columns.Length) throw new InvalidOperationException("RowMap did not match every column.");
        _names = _map.Columns.Select(c => c.Name).ToArray();
        _values = _rows.Select(r => _map.Values(r)).ToArray();
        _encoders = s_columns.Select(c => ColumnEncoder.For(c.Type)!).ToArray();
        _pool = new ChunkPool(64);
        _compressed = Client(true);
        _plain = Client(false);
        _options = new InsertOptions
        {
            Database = "bench", BatchSize = Rows, MaxDegreeOfParallelism = 1,
            ColumnTypes = s_columns.ToDictionary(c => c.Name, c => c.Type),
        };
        _lz4 = new InsertOptions
        {
            Database = "bench", BatchSize = Rows, MaxDegreeOfParallelism = 1, ColumnTypes = _options.ColumnTypes,
            Compressor = new ClickHouse.Driver.Compression.Lz4Compressor(ClickHouse.Driver.Compression.Lz4Level.Fast, 64 * 1024),
        };
    }

    static ClickHouseClient Client(bool compression) => new(new ClickHouseClientSettings
    {
        Host = "127.0.0.1", Port = 1, Username = "bench", Password = "",
        JsonReadMode = JsonReadMode.None, JsonWriteMode = JsonWriteMode.None,
        UseCompression = compression,
        HttpClient = new HttpClient(new DrainHandler()),
    });

    /// <summary>Reads the request body to the end (so the driver serializes all of it) and answers 200.</summary>
    sealed class DrainHandler : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content is not null) await request.Content.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("") };
        }
    }

    [Benchmark(OperationsPerInvoke = Rows, Description = "RowMap.Values (reflection getters)")]
    public int Values()
    {
        var n = 0;
        foreach (var r in _rows) n += _map.Values(r).Length;
        return n;
    }

    [Benchmark(OperationsPerInvoke = Rows, Description = "Driver InsertBinaryAsync, no compression, no network")]
    public Task DriverPlain() => _plain.InsertBinaryAsync(KnownTables.OrdersStaging, _names, _values, _options);

    [Benchmark(Baseline = true, OperationsPerInvoke = Rows, Description = "Writer before: Values + object[] batch + driver InsertBinaryAsync LZ4")]
    public async Task DriverBatch()
    {
        var batch = new object?[Rows][];
        for (var i = 0; i < Rows; i++) batch[i] = _map.Values(_rows[i]);
        await _compressed.InsertBinaryAsync(KnownTables.OrdersStaging, _names, batch, _lz4).ConfigureAwait(false);
    }

    EncodedBatch Encode()
    {
        var batch = new EncodedBatch(_pool);
        foreach (var r in _rows)
        {
            var values = _map.Values(r);
            for (var c = 0; c < values.Length; c++) _encoders[c].Write(batch, values[c]);
            batch.Rows++;
        }
        return batch;
    }

    [Benchmark(OperationsPerInvoke = Rows, Description = "Values + ColumnEncoder into an EncodedBatch (no send)")]
    public long EncodeOnly()
    {
        var batch = Encode();
        var n = batch.Length;
        batch.Release();
        return n;
    }

    [Benchmark(OperationsPerInvoke = Rows, Description = "Writer now: Values + encode + token + InsertRawStreamAsync, no compression (loopback)")]
    public Task<string> EncodedPlain() => Send(false);

    [Benchmark(OperationsPerInvoke = Rows, Description = "Writer now, gzip body (a remote server)")]
    public Task<string> EncodedGzip() => Send(true);

    async Task<string> Send(bool gzip)
    {
        var batch = Encode();
        var token = batch.Token(KnownTables.OrdersStaging, _names);
        using (await _plain.InsertRawStreamAsync(KnownTables.OrdersStaging, batch.OpenRead(), "RowBinary", _names, gzip,
                   new InsertOptions { Database = "bench" }).ConfigureAwait(false))
        {
        }
        batch.Release();
        return token;
    }
}
