using System.Net;
using System.Net.Sockets;

namespace QTickets.Module.Tests.Webhooks;

/// <summary>
/// A loopback TCP proxy in front of the shared ClickHouse that can be switched off and on again on the same port:
/// off resets every open connection and every new one, which is what a stopped server looks like to its clients,
/// without stopping the server other tests use.
/// </summary>
public sealed class SwitchProxy : IDisposable
{
    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly string _targetHost;
    readonly int _targetPort;
    readonly List<TcpClient> _open = new();
    readonly CancellationTokenSource _disposed = new();
    volatile bool _off;

    public SwitchProxy(string targetHost, int targetPort)
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
        lock (_open)
        {
            foreach (var c in _open) Reset(c);
            _open.Clear();
        }
    }

    public void On() => _off = false;

    static void Reset(TcpClient c)
    {
        try { c.Client.LingerState = new LingerOption(true, 0); } catch (Exception) { /* already closed */ }
        c.Dispose();
    }

    async Task AcceptAsync()
    {
        while (!_disposed.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_disposed.Token); }
            catch (Exception) { return; }
            if (_off) { Reset(client); continue; }
            var server = new TcpClient();
            try { await server.ConnectAsync(_targetHost, _targetPort, _disposed.Token); }
            catch (Exception) { client.Dispose(); server.Dispose(); continue; }
            lock (_open)
            {
                _open.Add(client);
                _open.Add(server);
            }
            _ = PumpAsync(client, server);
            _ = PumpAsync(server, client);
        }
    }

    static async Task PumpAsync(TcpClient from, TcpClient to)
    {
        try { await from.GetStream().CopyToAsync(to.GetStream()); }
        catch (Exception) { /* reset, or the other side closed */ }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _listener.Stop();
        Off();
    }
}
