using System.Net.Http;
using System.Net.Sockets;
using Polly.Timeout;

namespace QTickets.Engine.Api;

/// <summary>What is worth another attempt. Deliberately narrow: 4xx other than 408/429 will not change.</summary>
internal static class TransientFailure
{
    public static bool IsTransientStatus(int status) => status is 408 or 429 or >= 500 and <= 599;

    /// <summary>
    /// Network and timeout failures only. Not IOException in general: a FileLoadException is an IOException,
    /// and retrying a failed assembly load would only hide it (platform facts). HttpIOException is the
    /// connection dropping mid-body; a plain IOException counts only when a socket error caused it.
    /// </summary>
    public static bool IsTransient(Exception ex) => ex switch
    {
        MalformedBodyException => true,
        TimeoutRejectedException => true,
        HttpRequestException => true,
        HttpIOException => true,
        SocketException => true,
        IOException io when io.InnerException is SocketException => true,
        _ => false,
    };
}
