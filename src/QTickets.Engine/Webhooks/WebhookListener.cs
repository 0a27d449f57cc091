using System.Net;
using System.Net.Sockets;
using System.Text;
using QTickets.Core.Contracts;

namespace QTickets.Engine.Webhooks;

/// <summary>
/// The webhook receiver's HTTP side, on System.Net.HttpListener (part of .NET itself: pwsh does not load the
/// ASP.NET Core framework). Plain HTTP, meant for loopback behind a reverse proxy that terminates TLS. What a
/// request gets is the handler's decision; this class only enforces what needs the socket: the body limit while
/// reading (also for a body without a declared length), the read deadline, and how many requests run at once.
/// </summary>
public sealed class WebhookListener(WebhookListenerOptions options, IWebhookHandler handler, IRunObserver observer) : IWebhookListener
{
    /// <summary>The prefix's host as HttpListener takes it: "+" for every address, an IPv6 address in brackets.</summary>
    readonly string _host = !options.Path.StartsWith('/')
        ? throw new ArgumentException($"The webhook path must start with '/': '{options.Path}'.")
        : options.Address switch
        {
            "0.0.0.0" or "*" or "+" or "::" => "+",
            var a when IPAddress.TryParse(a, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 => $"[{a}]",
            var a => a,
        };

    string Prefix => $"http://{_host}:{options.Port}/";

    public string Url => $"http://{(_host == "+" ? "0.0.0.0" : _host)}:{options.Port}{options.Path}";

    public async Task RunAsync(CancellationToken cancellation, Action? listening = null)
    {
        using var listener = new HttpListener { IgnoreWriteExceptions = true };
        listener.Prefixes.Add(Prefix);
        Start(listener);
        try
        {
            observer.Verbose($"Listening on {Url}");
            listening?.Invoke();
            using var slots = new SemaphoreSlim(options.MaxConcurrency);
            var inFlight = new HashSet<Task>();
            using var stop = cancellation.Register(listener.Stop);
            while (!cancellation.IsCancellationRequested)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync().ConfigureAwait(false);
                }
                catch (Exception) when (cancellation.IsCancellationRequested)
                {
                    break;
                }
                catch (HttpListenerException ex) when (listener.IsListening)
                {
                    // One connection failed while being accepted (reset by its client): the listener itself is fine.
                    observer.Warning($"webhook: a connection failed before its request was read ({ex.ErrorCode}: {ex.Message})");
                    continue;
                }
                await slots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                var task = ServeAsync(context).ContinueWith(_ => slots.Release(), TaskScheduler.Default);
                lock (inFlight) inFlight.Add(task);
                _ = task.ContinueWith(t => { lock (inFlight) inFlight.Remove(t); }, TaskScheduler.Default);
            }
            Task[] remaining;
            lock (inFlight) remaining = inFlight.ToArray();
            // The requests in progress finish (their rows may be on the way into staging); QTickets retries any cut off.
            await Task.WhenAll(remaining).WaitAsync(options.DrainTimeout, CancellationToken.None)
                .ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }
        finally
        {
            // Abort, not Dispose, ends it: after Stop, HttpListener's Close looks its endpoint up again and, no longer
            // finding it, binds the port anew only to close it, meeting the same start race under traffic; Abort of a
            // stopped listener just marks it closed (and closes a listener that ended otherwise).
            listener.Abort();
        }
    }

    void Start(HttpListener listener)
    {
        Action? release = null;
        try
        {
            // The socket opened first, so that a connection arriving during Start cannot end the process (see
            // ListenerSocket); where that is not possible, plain Start, and its failure says what to do.
            if (ListenAddress() is { } address)
            {
                release = ListenerSocket.Prepare(listener, address, options.Port, out var unsupported);
                if (unsupported is not null)
                    observer.Warning($"webhook: this .NET runtime's HttpListener lacks {unsupported}; starting it plainly, so a connection " +
                                      "arriving in the instant it starts can stop the receiver (the service manager restarts it)");
            }
            listener.Start();
        }
        catch (Exception ex) when (ex is HttpListenerException or SocketException)
        {
            Abandon(listener, release);
            throw new InvalidOperationException($"Cannot listen on {Prefix} ({ex.Message}): the port is in use or the address is not this machine's. " +
                                                "Set QTICKETS_WEBHOOK_PORT / QTICKETS_WEBHOOK_LISTEN (or -Port / -ListenAddress).", ex);
        }
        catch (ArgumentNullException ex)
        {
            // Plain Start met dotnet/corefx#35191: its socket stays bound, so only a new process can listen again.
            Abandon(listener, release);
            throw new InvalidOperationException($"HttpListener failed to start on {Prefix}: a connection arrived while it started (a .NET " +
                                                "HttpListener bug on Linux and macOS); the port stays taken until this process exits. Start the " +
                                                "receiver again (the systemd unit in scripts/systemd does so by itself).", ex);
        }
        catch
        {
            Abandon(listener, release);
            throw;
        }
    }

    // A listener that never started must not be closed: its Close would look up, and so bind, the endpoint again.
    static void Abandon(HttpListener listener, Action? release)
    {
        listener.Abort();
        release?.Invoke();
    }

    /// <summary>The address HttpListener binds for the prefix's host (it resolves it the same way), or null to leave it to Start.</summary>
    IPAddress? ListenAddress()
    {
        if (_host == "+") return IPAddress.Any;
        try { return Dns.GetHostAddresses(_host) is [var first, ..] ? first : null; }
        catch (Exception ex) when (ex is SocketException or ArgumentException) { return null; }
    }

    async Task ServeAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        try
        {
            var method = request.HttpMethod;
            var path = request.Url?.AbsolutePath ?? "";
            var declared = request.HasEntityBody && request.ContentLength64 >= 0 ? request.ContentLength64 : (long?)null;
            var answer = handler.Admit(method, path, declared);
            if (answer is null)
            {
                var (body, problem) = await ReadBodyAsync(request, declared).ConfigureAwait(false);
                answer = problem ?? await handler.HandleAsync(new WebhookRequest(method, path, request.Headers["X-Signature"],
                    request.Headers["X-Event-Type"], request.Headers["X-Model-Name"], body,
                    request.RemoteEndPoint?.Address.ToString() ?? "?"), CancellationToken.None).ConfigureAwait(false);
            }
            await WriteAsync(response, answer.Status, answer.Body).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            observer.Warning($"webhook 500: {ex.GetType().Name}: {ex.Message.Split('\n')[0]}");
            try { await WriteAsync(response, 500, "internal error").ConfigureAwait(false); }
            catch (Exception) { response.Abort(); }
        }
    }

    async Task<(ReadOnlyMemory<byte> Body, WebhookResponse? Problem)> ReadBodyAsync(HttpListenerRequest request, long? declared)
    {
        var limit = options.MaxBodyBytes;
        var buffer = new byte[declared is { } n ? (int)Math.Min(n, limit) + 1 : 16 * 1024];
        var length = 0;
        using var deadline = new CancellationTokenSource(options.ReadTimeout);
        var stream = request.InputStream;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length > limit) break;
                    Array.Resize(ref buffer, Math.Min(buffer.Length * 2, limit + 1));
                }
                // WaitAsync: the deadline holds even where the stream ignores cancellation.
                var read = await stream.ReadAsync(buffer.AsMemory(length), deadline.Token).AsTask().WaitAsync(deadline.Token).ConfigureAwait(false);
                if (read == 0) break;
                length += read;
            }
        }
        catch (OperationCanceledException)
        {
            var line = $"webhook 408: the body was not read within {options.ReadTimeout.TotalSeconds:0} s ({length} bytes so far)";
            observer.Warning(line);
            return (default, new WebhookResponse(408, "request timeout", line));
        }
        if (length > limit)
        {
            var line = $"webhook 413: the body is over the limit of {limit} bytes";
            observer.Warning(line);
            return (default, new WebhookResponse(413, "body too large", line));
        }
        return (buffer.AsMemory(0, length), null);
    }

    static async Task WriteAsync(HttpListenerResponse response, int status, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text + "\n");
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        response.ContentLength64 = bytes.Length;
        if (status is 408 or 413) response.KeepAlive = false;
        await response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
        response.Close();
    }
}
