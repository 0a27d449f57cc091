using System.Net;
using System.Net.Sockets;

namespace QTickets.Tests.Shared;

/// <summary>
/// A loopback TCP proxy in front of a server other tests share (ClickHouse), to make the server look stopped to the
/// clients that go through it without stopping it: <see cref="Off"/> resets every open connection and every new one
/// until <see cref="On"/>, on the same port (a server that was down and came back); <see cref="Cut"/> resets them and
/// closes the port for good (a server that went away).
/// </summary>
public sealed class TcpProxy : IDisposable
{
    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly string _targetHost;
    readonly int _targetPort;
    readonly List<TcpClient> _open = new();
    readonly CancellationTokenSource _cut = new();
    volatile bool _off;

    public TcpProxy(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptAsync();
    }

    public int Port { get; }

    public void Off()
    {
        _off = true;
        ResetOpen();
    }

    public void On() => _off = false;

    /// <summary>Stops listening and resets every open connection.</summary>
    public void Cut()
    {
        _cut.Cancel();
        _listener.Stop();
        Off();
    }

    public void Dispose() => Cut();

    void ResetOpen()
    {
        lock (_open)
        {
            foreach (var c in _open) Reset(c);
            _open.Clear();
        }
    }

    static void Reset(TcpClient c)
    {
        try { c.Client.LingerState = new LingerOption(true, 0); } catch (Exception) { /* already closed */ }
        c.Dispose();
    }

    async Task AcceptAsync()
    {
        while (!_cut.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_cut.Token); }
            catch (Exception) { return; }
            if (_off) { Reset(client); continue; }
            var server = new TcpClient();
            try { await server.ConnectAsync(_targetHost, _targetPort, _cut.Token); }
            catch (Exception) { client.Dispose(); server.Dispose(); continue; }
            lock (_open)
            {
                // Off or Cut while connecting: this pair must not outlive it.
                if (_off) { Reset(client); Reset(server); continue; }
                _open.Add(client);
                _open.Add(server);
            }
            _ = PumpAsync(client, server);
            _ = PumpAsync(server, client);
        }
    }

    async Task PumpAsync(TcpClient from, TcpClient to)
    {
        try { await from.GetStream().CopyToAsync(to.GetStream(), _cut.Token); }
        catch (Exception) { /* reset, cut, or the other side closed */ }
        finally
        {
            // Half-close does not matter for HTTP here: one side gone ends both.
            from.Dispose();
            to.Dispose();
        }
    }
}
