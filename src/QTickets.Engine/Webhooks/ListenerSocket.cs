using System.Collections;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace QTickets.Engine.Webhooks;

/// <summary>
/// Opens the listening socket of HttpListener's managed implementation (Linux, macOS) before HttpListener.Start, so
/// that a connection arriving while the receiver starts cannot kill it.
/// <para>
/// The managed HttpEndPointListener constructor binds, listens and then accepts before it creates the table it locks
/// for each accepted connection (dotnet/corefx#35191, still so in .NET 10). A connection queued in that instant makes
/// the first accept complete at once and Start throw ArgumentNullException; the socket is then left listening, owned
/// by nobody, with an accept pending: the port stays taken (a retried Start fails with "address already in use") and
/// the next connection to it throws the same exception on a thread-pool thread, which ends the process. QTickets
/// retries deliveries and a reverse proxy reconnects, so a receiver restarted under traffic meets exactly that. No
/// retry of Start helps; what does is an endpoint listener whose fields are set before its first accept. This class
/// builds one (an uninitialised object, the fields the constructor would set, then its own Accept) and registers it
/// where HttpListener.Start looks for an existing one, so Start only adds the prefix to it.
/// </para>
/// <para>
/// It works on the runtime's private members: <see cref="Prepare"/> checks each one and, when the runtime no longer
/// has them, says so (the caller then uses plain Start). Windows serves HttpListener through http.sys, which has no
/// such race: nothing is done there.
/// </para>
/// </summary>
internal static class ListenerSocket
{
    const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic;
    const BindingFlags Static = BindingFlags.Static | BindingFlags.NonPublic;

    /// <summary>
    /// Binds and listens on <paramref name="address"/>:<paramref name="port"/> for <paramref name="listener"/>, ready
    /// for its Start. Returns null when the managed listener is not in use (Windows) or its members are not the ones
    /// this class knows (<paramref name="unsupported"/> says which); a <see cref="SocketException"/> when the port
    /// cannot be bound. The returned action releases the socket when Start fails afterwards.
    /// </summary>
    public static Action? Prepare(HttpListener listener, IPAddress address, int port, out string? unsupported)
    {
        unsupported = null;
        if (OperatingSystem.IsWindows()) return null;
        var members = Members.Find(out unsupported);
        if (members is null) return null;

        var table = (IDictionary)members.Table.GetValue(null)!;
        object epl;
        // Under the lock HttpListener.Start takes for the same table, as its own endpoint creation runs.
        lock (((ICollection)table).SyncRoot)
        {
            var ports = (IDictionary?)(table.Contains(address) ? table[address] : null);
            // Another HttpListener of this process serves the port: Start adds the prefix to that one.
            if (ports is not null && ports.Contains(port)) return () => { };

            var endpoint = new IPEndPoint(address, port);
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(endpoint);
                socket.Listen(500);
                epl = RuntimeHelpers.GetUninitializedObject(members.EndPointListener);
                members.Listener.SetValue(epl, listener);
                members.EndPoint.SetValue(epl, endpoint);
                members.Socket.SetValue(epl, socket);
                members.Prefixes.SetValue(epl, Activator.CreateInstance(members.Prefixes.FieldType));
                members.Unregistered.SetValue(epl, Activator.CreateInstance(members.Unregistered.FieldType));
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            if (ports is null)
            {
                ports = (IDictionary)Activator.CreateInstance(members.Table.FieldType.GetGenericArguments()[1])!;
                table[address] = ports;
            }
            ports[port] = epl;

            // From here connections are accepted: the fields they need are set. A request that comes before Start
            // adds the prefix is answered 404 by HttpListener, and QTickets retries it.
            var args = new SocketAsyncEventArgs { UserToken = epl };
            args.Completed += members.OnAccept;
            members.Accept.Invoke(epl, [args]);
        }

        return () =>
        {
            lock (((ICollection)table).SyncRoot)
            {
                if (table.Contains(address) && table[address] is IDictionary ports && ports.Contains(port) && ReferenceEquals(ports[port], epl))
                {
                    ports.Remove(port);
                    if (ports.Count == 0) table.Remove(address);
                }
            }
            ((Socket)members.Socket.GetValue(epl)!).Dispose();
        };
    }

    sealed record Members(
        Type EndPointListener, FieldInfo Listener, FieldInfo EndPoint, FieldInfo Socket, FieldInfo Prefixes, FieldInfo Unregistered,
        MethodInfo Accept, EventHandler<SocketAsyncEventArgs> OnAccept, FieldInfo Table)
    {
        static Members? s_found;
        static string? s_missing;

        public static Members? Find(out string? missing)
        {
            if (s_found is null && s_missing is null) s_found = Look(out s_missing);
            missing = s_missing;
            return s_found;
        }

        static Members? Look(out string? missing)
        {
            var assembly = typeof(HttpListener).Assembly;
            var eplType = assembly.GetType("System.Net.HttpEndPointListener");
            var managerType = assembly.GetType("System.Net.HttpEndPointManager");
            if (eplType is null || managerType is null) { missing = "HttpEndPointListener/HttpEndPointManager"; return null; }
            FieldInfo? F(string name) => eplType.GetField(name, Instance);
            var listener = F("_listener");
            var endpoint = F("_endpoint");
            var socket = F("_socket");
            var prefixes = F("_prefixes");
            var unregistered = F("_unregisteredConnections");
            var accept = eplType.GetMethod("Accept", Instance, [typeof(SocketAsyncEventArgs)]);
            var onAccept = eplType.GetMethod("OnAccept", Static, [typeof(object), typeof(SocketAsyncEventArgs)]);
            var table = managerType.GetField("s_ipEndPoints", Static);
            var shapes = new (string Name, bool Ok)[]
            {
                ("_listener", listener?.FieldType == typeof(HttpListener)),
                ("_endpoint", endpoint?.FieldType == typeof(IPEndPoint)),
                ("_socket", socket?.FieldType == typeof(Socket)),
                // Collections the constructor creates empty (a Dictionary, in .NET 10 a HashSet for the connections).
                ("_prefixes", prefixes?.FieldType.GetConstructor(Type.EmptyTypes) is not null),
                ("_unregisteredConnections", unregistered?.FieldType.GetConstructor(Type.EmptyTypes) is not null),
                ("Accept", accept is not null),
                ("OnAccept", onAccept is not null),
                ("s_ipEndPoints", table?.FieldType is { IsGenericType: true } t && t.GetGenericTypeDefinition() == typeof(Dictionary<,>) &&
                                  t.GetGenericArguments()[0] == typeof(IPAddress)),
            };
            var wrong = shapes.Where(s => !s.Ok).Select(s => s.Name).ToArray();
            if (wrong.Length > 0) { missing = string.Join(", ", wrong); return null; }
            missing = null;
            return new Members(eplType, listener!, endpoint!, socket!, prefixes!, unregistered!, accept!,
                onAccept!.CreateDelegate<EventHandler<SocketAsyncEventArgs>>(), table!);
        }
    }
}
