using System.Collections;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO;
using QTickets.Core.Contracts;
using QTickets.Engine.ClickHouse;
using QTickets.Tests.Shared;

namespace QTickets.Unit.Tests.ClickHouse;

/// <summary>
/// The writer encodes rows to RowBinary itself (ColumnEncoder, EncodedBatch). Against the real server: every
/// column type it writes gives the same stored values as ClickHouse.Driver's own binary insert of the same
/// objects, a bad value drops only its row, and types it cannot write are refused before anything is sent.
/// </summary>
public sealed class RowBinaryWriterTests : IClassFixture<TestClickHouse>
{
    readonly TestClickHouse _ch;

    public RowBinaryWriterTests(TestClickHouse ch) => _ch = ch;

    const string Columns = """
        id UInt32, s String, lc LowCardinality(String), ns Nullable(String), fs FixedString(8),
        u8 UInt8, u16 UInt16, u64 UInt64, i8 Int8, i16 Int16, i32 Int32, i64 Int64, f32 Float32, f64 Float64, b Bool,
        d18 Decimal(18, 2), d9 Decimal(9, 3), d38 Decimal(38, 10), nd Nullable(Decimal(18, 2)),
        dt DateTime, dtm DateTime('Europe/Moscow'), dt64 DateTime64(3), dt64n DateTime64(6, 'Asia/Novosibirsk'),
        day Date, day32 Date32, nday Nullable(Date), uid UUID, e Enum8('paid' = 1, 'refunded' = 2),
        arr Array(String), narr Array(Nullable(UInt32)), m Map(String, UInt64)
        """;

    static readonly string[] Names =
    {
        "id", "s", "lc", "ns", "fs", "u8", "u16", "u64", "i8", "i16", "i32", "i64", "f32", "f64", "b", "d18", "d9", "d38", "nd",
        "dt", "dtm", "dt64", "dt64n", "day", "day32", "nday", "uid", "e", "arr", "narr", "m",
    };

    static object?[] Row(uint id, string text, DateTime when, decimal money, object? nullable) => new object?[]
    {
        id, text, "москва", nullable is null ? null : text + "!", "ab", (byte)200, (ushort)65000, ulong.MaxValue - id,
        (sbyte)-100, (short)-30000, -2_000_000_000, long.MinValue + id, 1.5f, Math.PI * id, id % 2 == 0,
        money, -(money % 1000) / 7, 123456789012345678.0123456789m, nullable is null ? null : money,
        when, when, when, when, when, DateOnly.FromDateTime(when), nullable is null ? null : when,
        Guid.Parse("1b4e28ba-2fa1-11d2-883f-0016d3cca427"), id % 2 == 0 ? "paid" : "refunded",
        new[] { "a", text, "" }, new object?[] { 1u, null, 3u }, new Dictionary<string, ulong> { ["k"] = id, ["к2"] = 7 },
    };

    static IEnumerable<object?[]> Rows()
    {
        // Unspecified, UTC and local kinds, across midnight and the epoch's neighbourhood; text of every length,
        // including one longer than a chunk (it must cross chunk boundaries); decimals with extra fraction digits.
        yield return Row(1, "", new DateTime(2025, 11, 3, 0, 15, 0, DateTimeKind.Unspecified), 150.25m, null);
        yield return Row(2, "Концерт «Щелкунчик»", new DateTime(2025, 11, 3, 23, 59, 59, DateTimeKind.Utc), 0.29m, "x");
        yield return Row(3, new string('я', 200_000), new DateTime(2019, 7, 30, 12, 50, 52, DateTimeKind.Local), -1056.999m, "y");
        yield return Row(4, "tab\tnew\nline", new DateTime(1971, 1, 1, 3, 0, 0), 12345678901234.56m, null);
        yield return Row(5, "x", new DateTime(2106, 1, 1), 1m / 3m, "z");
    }

    string CreateTable(string name)
    {
        var table = $"{_ch.Database}.{name}";
        _ch.Admin($"DROP TABLE IF EXISTS {table}");
        _ch.Admin($"CREATE TABLE {table} ({Columns}) ENGINE = MergeTree ORDER BY id");
        return name;
    }

    string Dump(string table) => _ch.Admin($"SELECT * FROM {_ch.Database}.{table} ORDER BY id FORMAT TSV");

    static List<TableColumn> Described(ClickHouseStore store, string table) =>
        store.DescribeTableAsync(table, default).GetAwaiter().GetResult().ToList();

    [Fact]
    public void Every_type_is_stored_as_the_drivers_own_binary_insert_stores_it()
    {
        var driverTable = CreateTable("rb_driver");
        using (var client = new ClickHouseClient(new ClickHouseClientSettings
               {
                   Host = _ch.Host, Port = checked((ushort)_ch.Port), Username = _ch.AdminUser, Password = _ch.AdminPassword,
                   Database = _ch.Database,
               }))
        {
            client.InsertBinaryAsync(driverTable, Names, Rows().Select(r => r.Select(v => v).ToArray())!).GetAwaiter().GetResult();
        }

        foreach (var compress in new[] { false, true })
        {
            var ours = CreateTable(compress ? "rb_ours_gzip" : "rb_ours");
            using var store = StoreHelpers.Admin(_ch);
            var columns = Described(store, ours);
            Assert.Equal(Names, columns.Select(c => c.Name));
            var writer = store.OpenWriter(ours, columns, new WriteOptions { BatchSize = 2, Compress = compress }, NullRunObserver.Instance);
            foreach (var row in Rows()) writer.AddAsync(row, default).AsTask().GetAwaiter().GetResult();
            var result = writer.CompleteAsync(default).GetAwaiter().GetResult();
            writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
            Assert.Equal(5, result.Rows);
            Assert.Equal(3, result.Batches);

            var expected = Dump(driverTable);
            Assert.Equal(5, expected.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
            Assert.Equal(expected, Dump(ours));
        }
        // Spot checks against the literal values, so "equal to the driver" cannot mean "equally wrong".
        // id 1: a wall clock without a kind is UTC in a plain DateTime column and Moscow time in a Moscow one.
        Assert.Equal("150.25\t2025-11-03 00:15:00\t2025-11-02 21:15:00\t2025-11-03\t\\N\trefunded",
            _ch.Admin($"SELECT d18, toString(dt, 'UTC'), toString(dtm, 'UTC'), day, ns, e FROM {_ch.Database}.rb_ours WHERE id = 1"));
        // id 3: 200 000 Cyrillic letters (two chunks' worth of UTF-8); -(-1056.999 % 1000) / 7 = 8.142714... truncated.
        Assert.Equal("200000\t8.142\t1\trefunded",
            _ch.Admin($"SELECT lengthUTF8(s), d9, length(arr[2]) > 0, e FROM {_ch.Database}.rb_ours WHERE id = 3"));
    }

    [Fact]
    public void A_value_that_does_not_fit_drops_only_its_row_and_names_column_and_row()
    {
        var table = CreateTable("rb_bad");
        using var store = StoreHelpers.Admin(_ch);
        var columns = Described(store, table);
        var writer = store.OpenWriter(table, columns, new WriteOptions(), NullRunObserver.Instance);
        var rows = Rows().ToList();
        writer.AddAsync(rows[0], default).AsTask().GetAwaiter().GetResult();
        var bad = (object?[])rows[1].Clone();
        bad[Array.IndexOf(Names, "d9")] = "lots"; // late in the row: the columns before it were already encoded
        var ex = Assert.Throws<ClickHouseStoreException>(() => writer.AddAsync(bad, default).AsTask().GetAwaiter().GetResult());
        Assert.Equal(ClickHouseFailure.TypeMismatch, ex.Failure);
        Assert.True(ex.Column == "d9", ex.Message);
        Assert.Contains("row 2", ex.Message);
        Assert.Contains("a String value does not convert", ex.Message);
        Assert.DoesNotContain("lots", ex.Message); // values stay out of errors: they may be personal data
        Assert.Contains("Decimal(9, 3)", ex.Message);
        writer.AddAsync(rows[2], default).AsTask().GetAwaiter().GetResult();
        var result = writer.CompleteAsync(default).GetAwaiter().GetResult();
        writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Assert.Equal(2, result.Rows);
        Assert.Equal("1\n3", _ch.Admin($"SELECT id FROM {_ch.Database}.{table} ORDER BY id"));
    }

    [Fact]
    public void A_column_type_the_writer_cannot_encode_is_refused_before_anything_is_sent()
    {
        _ch.Admin($"DROP TABLE IF EXISTS {_ch.Database}.rb_tuple");
        _ch.Admin($"CREATE TABLE {_ch.Database}.rb_tuple (id UInt32, t Tuple(String, UInt8), note String DEFAULT 'd') ENGINE = MergeTree ORDER BY id");
        using var store = StoreHelpers.Admin(_ch);
        var ex = Assert.Throws<ClickHouseStoreException>(() =>
            store.OpenWriter("rb_tuple", Described(store, "rb_tuple"), new WriteOptions(), NullRunObserver.Instance));
        Assert.Equal(ClickHouseFailure.TypeMismatch, ex.Failure);
        Assert.Equal("t", ex.Column);
        Assert.Contains("Tuple(String, UInt8)", ex.Message);
        Assert.Contains("-ColumnMap", ex.Message);
        Assert.Equal("0", _ch.Admin($"SELECT count() FROM {_ch.Database}.rb_tuple"));

        // The way out the message names: leave the column out, it takes its DEFAULT.
        StoreHelpers.Write(store, "rb_tuple", new[] { new { id = 7u, note = "n" } });
        Assert.Equal("7\t('',0)\tn", _ch.Admin($"SELECT id, t, note FROM {_ch.Database}.rb_tuple"));
    }
}

/// <summary>The chunked byte buffer on its own: boundaries, truncation, the body stream, the token.</summary>
public sealed class EncodedBatchTests
{
    [Fact]
    public void Bytes_read_back_equal_bytes_written_across_chunk_boundaries()
    {
        var pool = new ChunkPool(4);
        var batch = new EncodedBatch(pool);
        var expected = new List<byte>();
        var random = new Random(5);
        while (expected.Count < 3 * ChunkPool.ChunkSize + 123)
        {
            var piece = new byte[random.Next(1, 70_000)];
            random.NextBytes(piece);
            batch.Write(piece);
            expected.AddRange(piece);
        }
        Assert.Equal(expected.Count, batch.Length);
        using var read = batch.OpenRead();
        var copy = new MemoryStream();
        read.CopyTo(copy, 1000);
        Assert.Equal(expected.ToArray(), copy.ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(ChunkPool.ChunkSize)]      // exactly at a chunk's end
    [InlineData(ChunkPool.ChunkSize + 1)]
    [InlineData(2 * ChunkPool.ChunkSize - 7)]
    public void Truncate_keeps_exactly_the_prefix_and_writing_goes_on_from_there(int keep)
    {
        var batch = new EncodedBatch(new ChunkPool(8));
        var data = Enumerable.Range(0, 2 * ChunkPool.ChunkSize + 99).Select(i => (byte)(i * 31)).ToArray();
        batch.Write(data);
        batch.Truncate(keep);
        Assert.Equal(keep, batch.Length);
        batch.Write(new byte[] { 1, 2, 3 });
        var copy = new MemoryStream();
        batch.OpenRead().CopyTo(copy);
        Assert.Equal(data.Take(keep).Concat(new byte[] { 1, 2, 3 }).ToArray(), copy.ToArray());
    }

    [Fact]
    public void Strings_are_varint_length_then_utf8_and_the_token_follows_the_content()
    {
        string Encode(params string[] values)
        {
            var b = new EncodedBatch(new ChunkPool(2));
            foreach (var v in values) b.WriteString(v);
            var ms = new MemoryStream();
            b.OpenRead().CopyTo(ms);
            return Convert.ToHexString(ms.ToArray());
        }
        Assert.Equal("00", Encode(""));
        Assert.Equal("04D0AFD18F", Encode("Яя"));
        Assert.Equal("8001" + string.Concat(Enumerable.Repeat("61", 128)), Encode(new string('a', 128)));

        string TokenOf(string table, params string[] values)
        {
            var b = new EncodedBatch(new ChunkPool(2));
            foreach (var v in values) b.WriteString(v);
            return b.Token(table, new[] { "c" });
        }
        Assert.Equal(TokenOf("t", "a", "b"), TokenOf("t", "a", "b"));
        Assert.NotEqual(TokenOf("t", "a", "b"), TokenOf("t", "b", "a"));
        Assert.NotEqual(TokenOf("t", "a"), TokenOf("u", "a"));
        Assert.StartsWith("qt-t-", TokenOf("t", "a"));
    }
}
