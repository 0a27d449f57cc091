using System.Net;
using System.Net.Sockets;

namespace QTickets.Module.Tests.Load;

/// <summary>
/// A loopback TCP proxy in front of the shared ClickHouse: <see cref="Cut"/> closes every connection and the
/// listening port, which is what a stopped server looks like to the loader, without stopping the server.
/// </summary>
public sealed class TcpCutProxy : IDisposable
{
    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly string _targetHost;
    readonly int _targetPort;
    readonly List<TcpClient> _open = new();
    readonly CancellationTokenSource _cut = new();

    public TcpCutProxy(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptAsync();
    }

    public int Port { get; }

    public int Connections { get; private set; }

    async Task AcceptAsync()
    {
        while (!_cut.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_cut.Token); }
            catch (Exception) { return; }
            var server = new TcpClient();
            try { await server.ConnectAsync(_targetHost, _targetPort, _cut.Token); }
            catch (Exception) { client.Dispose(); server.Dispose(); continue; }
            lock (_open)
            {
                if (_cut.IsCancellationRequested) { client.Dispose(); server.Dispose(); return; }
                _open.Add(client);
                _open.Add(server);
                Connections++;
            }
            _ = PumpAsync(client, server);
            _ = PumpAsync(server, client);
        }
    }

    async Task PumpAsync(TcpClient from, TcpClient to)
    {
        try { await from.GetStream().CopyToAsync(to.GetStream(), _cut.Token); }
        catch (Exception) { /* cut, or the other side closed */ }
        finally
        {
            // Half-close semantics do not matter for HTTP here: one side gone ends both.
            from.Dispose();
            to.Dispose();
        }
    }

    /// <summary>Stops listening and resets every open connection.</summary>
    public void Cut()
    {
        _cut.Cancel();
        _listener.Stop();
        lock (_open)
        {
            foreach (var c in _open)
            {
                try { c.Client.LingerState = new LingerOption(true, 0); } catch (Exception) { /* already closed */ }
                c.Dispose();
            }
            _open.Clear();
        }
    }

    public void Dispose() => Cut();
}
