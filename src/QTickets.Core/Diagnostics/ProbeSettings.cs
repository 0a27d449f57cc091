namespace QTickets.Core.Diagnostics;

/// <summary>What a protocol run needs: where, as whom, which steps, and how careful to be.</summary>
public sealed class ProbeSettings
{
    public required Uri BaseUrl { get; init; }
    /// <summary>The bearer token. Sent only in the Authorization header; everything written shows the fingerprint.</summary>
    public required string Token { get; init; }
    public required string TokenFingerprint { get; init; }
    public string Organization { get; init; } = "";
    /// <summary>Step ids to run (case-insensitive); null = all. Step 0 always runs; A0 runs whenever A–C or J1 do.</summary>
    public IReadOnlyCollection<string>? Steps { get; init; }
    public long? OrderId { get; init; }
    public bool IncludeWriteProbes { get; init; }
    public bool IncludePersonalData { get; init; }
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Lines describing the machine for step 0 (PowerShell and module versions come from the cmdlet).</summary>
    public IReadOnlyList<string> EnvironmentLines { get; init; } = Array.Empty<string>();
    /// <summary>Overrides the HTTP handler (tests); the handler is disposed with the run.</summary>
    public HttpMessageHandler? Handler { get; init; }
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
