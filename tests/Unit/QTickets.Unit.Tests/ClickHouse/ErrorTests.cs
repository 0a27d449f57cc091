using QTickets.Core.Contracts;
using QTickets.Tests.Shared;

namespace QTickets.Unit.Tests.ClickHouse;

/// <summary>Each failure is a specific ClickHouseStoreException naming where and what, never the password.</summary>
public sealed class ErrorTests : IClassFixture<TestClickHouse>
{
    readonly TestClickHouse _ch;

    public ErrorTests(TestClickHouse ch)
    {
        _ch = ch;
        using var store = StoreHelpers.Admin(ch);
        StoreHelpers.Initialize(store);
    }

    ClickHouseStoreException Fails(Action action)
    {
        var ex = Assert.ThrowsAny<ClickHouseStoreException>(action);
        foreach (var secret in new[] { _ch.AdminPassword, _ch.WriterPassword, _ch.ReaderPassword, "wrong-password-123" })
            Assert.DoesNotContain(secret, ex.ToString());
        return ex;
    }

    static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        var port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    [Fact]
    public void Connection_refused_names_host_and_port()
    {
        var port = FreePort();
        using var store = StoreHelpers.As(_ch, _ch.AdminUser, _ch.AdminPassword, port: port);
        var ex = Fails(() => store.DescribeTableAsync("dim_events", default).GetAwaiter().GetResult());
        Assert.Equal(ClickHouseFailure.Unreachable, ex.Failure);
        Assert.Contains($"127.0.0.1:{port}", ex.Message);
        Assert.Contains("connection refused", ex.Message);
    }

    [Fact]
    public void Bad_password_names_the_user()
    {
        using var store = StoreHelpers.As(_ch, _ch.WriterUser, "wrong-password-123");
        var ex = Fails(() => store.DescribeTableAsync("dim_events", default).GetAwaiter().GetResult());
        Assert.Equal(ClickHouseFailure.AuthenticationFailed, ex.Failure);
        Assert.Contains($"'{_ch.WriterUser}'", ex.Message);
    }

    [Fact]
    public void The_reader_cannot_write()
    {
        using var store = StoreHelpers.As(_ch, _ch.ReaderUser, _ch.ReaderPassword);
        var columns = new[] { new TableColumn("event_id", "String"), new TableColumn("_ver", "UInt64") };
        var ex = Fails(() =>
        {
            var writer = store.OpenWriter(KnownTables.Events, columns, new WriteOptions(), NullRunObserver.Instance);
            writer.AddAsync(new object?[] { "e", 1UL }, default).AsTask().GetAwaiter().GetResult();
            writer.CompleteAsync(default).GetAwaiter().GetResult();
        });
        Assert.Contains(ex.Failure, new[] { ClickHouseFailure.ReadOnlyUser, ClickHouseFailure.AccessDenied });
        Assert.Contains($"'{_ch.ReaderUser}'", ex.Message);
        Assert.Contains(KnownTables.Events, ex.Message);
    }

    [Fact]
    public void Missing_table_and_type_mismatch_name_table_and_column()
    {
        using var store = StoreHelpers.Admin(_ch);
        var missing = Fails(() =>
        {
            var writer = store.OpenWriter("no_such_table", new[] { new TableColumn("x", "String") }, new WriteOptions(), NullRunObserver.Instance);
            writer.AddAsync(new object?[] { "x" }, default).AsTask().GetAwaiter().GetResult();
            writer.CompleteAsync(default).GetAwaiter().GetResult();
        });
        Assert.Equal(ClickHouseFailure.TableMissing, missing.Failure);
        Assert.Contains("no_such_table", missing.Message);

        var mismatch = Fails(() => StoreHelpers.Write(store, KnownTables.Events,
            new[] { new { event_id = "e1", tickets_total = "many", _ver = 1UL } }));
        Assert.Equal(ClickHouseFailure.TypeMismatch, mismatch.Failure);
        Assert.Equal("tickets_total", mismatch.Column);
        Assert.Contains("tickets_total", mismatch.Message);
    }
}
