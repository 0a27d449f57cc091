using System.Net;
using System.Net.Sockets;
using QTickets.Core.Contracts;
using QTickets.Engine.Webhooks;

namespace QTickets.Unit.Tests.Webhooks;

/// <summary>
/// The receiver starting while clients keep connecting to its port (QTickets retrying, a reverse proxy reconnecting):
/// HttpListener's managed Start has a window between listen and its first accept in which a queued connection makes
/// it throw and leaves its socket to end the process on the next connection. The receiver must come up every time.
/// </summary>
[Collection(SocketStorm.Name)]
public sealed class WebhookListenerStartTests
{
    sealed class Answer : IWebhookHandler
    {
        public int Handled;
        public WebhookResponse? Admit(string method, string path, long? contentLength) => null;
        public Task<WebhookResponse> HandleAsync(WebhookRequest request, CancellationToken cancellation)
        {
            Interlocked.Increment(ref Handled);
            return Task.FromResult(new WebhookResponse(200, "ok", "ok"));
        }
    }

    static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>Threads that connect to the port and hang up, as fast as they can, until disposed.</summary>
    sealed class Hammer : IDisposable
    {
        readonly CancellationTokenSource _stop = new();
        readonly Task[] _threads;
        long _connected;

        public Hammer(int port, int threads) =>
            _threads = Enumerable.Range(0, threads).Select(_ => Task.Factory.StartNew(() =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    try
                    {
                        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                        s.Connect(IPAddress.Loopback, port);
                        Interlocked.Increment(ref _connected);
                    }
                    catch (SocketException) { }
                }
            }, TaskCreationOptions.LongRunning)).ToArray();

        public long Connected => Interlocked.Read(ref _connected);

        public void Dispose()
        {
            _stop.Cancel();
            Task.WaitAll(_threads);
            _stop.Dispose();
        }
    }

    [Fact]
    public void The_hammer_queues_connections_between_listen_and_the_first_accept()
    {
        // What HttpEndPointListener's constructor does (bind, listen, prepare the accept, accept), on a plain socket:
        // an accept that completes at once found a connection queued in that window, the condition of the crash.
        var port = FreePort();
        using var hammer = new Hammer(port, 8);
        var hits = 0;
        for (var i = 0; i < 20000 && hits < 3; i++)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            socket.Listen(500);
            using var args = new SocketAsyncEventArgs();
            if (!socket.AcceptAsync(args)) { hits++; args.AcceptSocket?.Dispose(); }
        }
        Assert.True(hits >= 1, "the race window was never hit in 20000 starts: the start test below would prove nothing");
    }

    [Fact]
    public async Task The_receiver_comes_up_every_time_while_clients_keep_connecting()
    {
        var port = FreePort();
        var handler = new Answer();
        var warnings = new List<string>();
        var observer = new Observer(warnings);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var hammer = new Hammer(port, 8);
        const int starts = 1500;
        for (var i = 0; i < starts; i++)
        {
            var listener = new WebhookListener(new WebhookListenerOptions { Port = port, DrainTimeout = TimeSpan.FromSeconds(2) }, handler, observer);
            using var stop = new CancellationTokenSource();
            var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var run = listener.RunAsync(stop.Token, () => up.TrySetResult());
            await Task.WhenAny(up.Task, run);
            Assert.True(up.Task.IsCompleted, $"start {i} failed: {(run.IsFaulted ? run.Exception!.ToString() : "no listening")} {string.Join("; ", warnings)}");
            if (i % 20 == 0)
            {
                using var answer = await http.PostAsync($"http://127.0.0.1:{port}/qtickets/webhook", new StringContent("{}"));
                Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            }
            stop.Cancel();
            await run;
        }
        Assert.Equal(starts / 20, handler.Handled);
        Assert.Empty(warnings);
        Assert.True(hammer.Connected > starts / 10, $"only {hammer.Connected} connections reached the receiver: the storm did not run");
    }

    [Fact]
    public async Task A_port_in_use_is_named_with_the_fix()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;
        var listener = new WebhookListener(new WebhookListenerOptions { Port = port }, new Answer(), new Observer([]));
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => listener.RunAsync(CancellationToken.None));
        Assert.Contains($"Cannot listen on http://127.0.0.1:{port}/", ex.Message);
        Assert.Contains("QTICKETS_WEBHOOK_PORT", ex.Message);
        holder.Stop();
        // The failed attempt released what it bound: the port serves once it is free.
        using var stop = new CancellationTokenSource();
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = listener.RunAsync(stop.Token, () => up.TrySetResult());
        await Task.WhenAny(up.Task, run);
        Assert.True(up.Task.IsCompleted);
        stop.Cancel();
        await run;
    }

    sealed class Observer(List<string> warnings) : IRunObserver
    {
        public void Verbose(string message) { }
        public void Warning(string message) { lock (warnings) warnings.Add(message); }
        public void Progress(ProgressUpdate update) { }
    }
}

/// <summary>
/// The connection storms above keep eight threads busy on a machine of two cores: they run alone, so the timing of
/// the tests beside them (a request cancelled, a read stopped) is not theirs to bear.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SocketStorm
{
    public const string Name = "Socket storms";
}
