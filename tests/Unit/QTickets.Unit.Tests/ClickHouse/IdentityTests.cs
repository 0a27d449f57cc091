using System.Net;
using System.Net.Sockets;
using System.Text;
using QTickets.Core.Configuration;
using QTickets.Core.Contracts;
using QTickets.Engine.ClickHouse;
using QTickets.Tests.Shared;

namespace QTickets.Unit.Tests.ClickHouse;

/// <summary>
/// The database's identity (what the run lock is keyed on) is the server's, not the host's spelling; and the
/// first question to the server tells a ClickHouse from anything else answering on the port.
/// </summary>
public sealed class IdentityTests(TestClickHouse ch) : IClassFixture<TestClickHouse>
{
    ClickHouseStore Store(string host, string? database = null, int? port = null) =>
        new(new QTicketsConfig
        {
            ClickHouseHost = host, ClickHousePort = port ?? ch.Port, ClickHouseDatabase = database ?? ch.Database,
            ClickHouseUser = ch.AdminUser, ClickHousePassword = new Secret(ch.AdminPassword),
        }, NullRunObserver.Instance);

    string Identity(string host, string? database = null)
    {
        using var store = Store(host, database);
        return store.GetDatabaseIdentityAsync(default).GetAwaiter().GetResult();
    }

    [Fact]
    public void Every_spelling_of_the_host_gives_the_database_uuid()
    {
        var uuid = ch.Admin($"SELECT toString(uuid) FROM system.databases WHERE name = '{ch.Database}'");
        Assert.NotEqual(Guid.Empty, Guid.Parse(uuid));
        foreach (var host in new[] { "127.0.0.1", "localhost", "LOCALHOST" })
            Assert.Equal($"{ch.Database}-{uuid}", Identity(host));
    }

    [Fact]
    public void Another_database_on_the_same_server_is_another_identity()
    {
        var other = "qt_other_" + Guid.NewGuid().ToString("N")[..8];
        ch.Admin($"CREATE DATABASE {other}");
        try
        {
            Assert.NotEqual(Identity("127.0.0.1"), Identity("127.0.0.1", other));
            Assert.Equal(Identity("127.0.0.1", other), Identity("localhost", other));
        }
        finally
        {
            ch.Admin($"DROP DATABASE {other} SYNC");
        }
    }

    [Fact]
    public void A_database_without_a_uuid_is_named_by_the_servers_host_name_and_port_whatever_the_spelling()
    {
        // A database that does not exist yet has no UUID, like an Ordinary one: the server's name stands in.
        var missing = "qt_missing_" + Guid.NewGuid().ToString("N")[..8];
        var hostName = ch.Admin("SELECT hostName()");
        Assert.Equal($"{missing}-{hostName}-{ch.Port}", Identity("127.0.0.1", missing));
        Assert.Equal(Identity("127.0.0.1", missing), Identity("localhost", missing));
    }

    [Theory]
    [InlineData(200, "text/html", "<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head><body>hi</body></html>", "an HTML page titled 'Welcome to nginx!'")]
    [InlineData(404, "text/html; charset=UTF-8", "<html><head><title>Страница не найдена 404</title></head></html>", "an HTML page titled 'Страница не найдена 404'")]
    [InlineData(200, "text/plain", "Ok.\n", "'Ok.'")]
    [InlineData(400, "text/plain", "Port 9000 is for clickhouse-client program\r\nYou must use port 8123 for HTTP.\r\n", "'Port 9000 is for clickhouse-client program You must use port 8123 for HTTP.'")]
    [InlineData(502, "text/plain", "bad gateway, ask admin@example.test", "'bad gateway, ask ***'")]
    public void Anything_else_on_the_port_is_not_a_ClickHouse_server(int status, string contentType, string body, string described)
    {
        using var listener = new OneAnswerServer(status, contentType, body);
        using var store = Store("127.0.0.1", port: listener.Port);
        var ex = Assert.Throws<ClickHouseStoreException>(() => store.GetDatabaseIdentityAsync(default).GetAwaiter().GetResult());
        Assert.Equal(ClickHouseFailure.NotClickHouse, ex.Failure);
        Assert.StartsWith($"http://127.0.0.1:{listener.Port} is not a ClickHouse server: it answered with {described}.", ex.Message);
        Assert.Contains("CLICKHOUSE_HOST and CLICKHOUSE_PORT", ex.Message);
        Assert.DoesNotContain(ch.AdminPassword, ex.ToString());
    }

    /// <summary>A listener that gives every connection the same HTTP answer (a web server, a proxy page, a wrong port).</summary>
    sealed class OneAnswerServer : IDisposable
    {
        readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        readonly CancellationTokenSource _stop = new();

        public OneAnswerServer(int status, string contentType, string body)
        {
            _listener.Start();
            var bytes = Encoding.UTF8.GetBytes(body);
            var head = Encoding.ASCII.GetBytes($"HTTP/1.1 {status} X\r\nContent-Type: {contentType}\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n");
            _ = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    var stream = client.GetStream();
                    await ReadRequestAsync(stream, _stop.Token);
                    await stream.WriteAsync(head, _stop.Token);
                    await stream.WriteAsync(bytes, _stop.Token);
                }
            });
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        /// <summary>Reads the request's head and its Content-Length body, so the client sees the answer, not a reset.</summary>
        static async Task ReadRequestAsync(NetworkStream stream, CancellationToken cancellation)
        {
            var seen = new List<byte>();
            var one = new byte[1];
            while (!(seen.Count >= 4 && seen[^4] == '\r' && seen[^3] == '\n' && seen[^2] == '\r' && seen[^1] == '\n'))
            {
                if (await stream.ReadAsync(one, cancellation) == 0) return;
                seen.Add(one[0]);
            }
            var head = Encoding.ASCII.GetString(seen.ToArray());
            var line = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
            var left = line is null ? 0 : int.Parse(line[15..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            var buffer = new byte[4096];
            while (left > 0)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(0, Math.Min(left, buffer.Length)), cancellation);
                if (n == 0) return;
                left -= n;
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }
    }
}
