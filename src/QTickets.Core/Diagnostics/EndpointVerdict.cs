using System.Text;

namespace QTickets.Core.Diagnostics;

/// <summary>
/// The conclusion of a debug-protocol run, computed from its results, in plain words: which request forms return
/// paid orders in the window, which are ignored, which fail, which were not sent, and what to use.
/// </summary>
public sealed class EndpointVerdict
{
    public VerdictKind Kind { get; init; }
    /// <summary>One sentence.</summary>
    /// <summary>One plain sentence for someone who is not a developer: are the sales there, and is there anything to do.</summary>
    public string Summary { get; init; } = "";

    public string Headline { get; init; } = "";
    /// <summary>The evidence, one statement a line (forms that work, are ignored, fail, were skipped; request details).</summary>
    public IReadOnlyList<string> Findings { get; init; } = Array.Empty<string>();
    public string Recommendation { get; init; } = "";
    /// <summary>Steps whose request form returned what was asked for.</summary>
    public IReadOnlyList<string> WorkingSteps { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> IgnoredSteps { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> FailedSteps { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> SkippedSteps { get; init; } = Array.Empty<string>();
    /// <summary>Paid orders in the window on the first page of the working form (null when none works).</summary>
    public int? PaidOrdersInWindow { get; init; }
    /// <summary>paging.total of the working form: every paid order in the window.</summary>
    public int? PaidOrdersTotal { get; init; }
    public string BaseUrl { get; init; } = "";
    public string TokenFingerprint { get; init; } = "";
    public string Organization { get; init; } = "";
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset FinishedAt { get; init; }
    public bool WriteProbesSent { get; init; }
    public bool PersonalDataIncluded { get; init; }
    /// <summary>The results the verdict was computed from (so the verdict alone can be saved as a report).</summary>
    public IReadOnlyList<EndpointProbeResult> Results { get; init; } = Array.Empty<EndpointProbeResult>();

    /// <summary>The whole verdict as text: the plain sentence, the headline, findings, what to do.</summary>
    public string Text
    {
        get
        {
            var text = new StringBuilder(Summary).Append('\n').Append(Headline).Append('\n');
            foreach (var line in Findings) text.Append("- ").Append(line).Append('\n');
            text.Append("What to do: ").Append(Recommendation);
            return text.ToString();
        }
    }

    public override string ToString() => Text;
}

/// <summary>The answer to "why does the API return no sales?", in four cases.</summary>
public enum VerdictKind
{
    /// <summary>At least one request form returned paid orders in the window: use it.</summary>
    WorkingFormFound,
    /// <summary>The API answered, but no form returned paid orders in the window (ignored, empty or failing).</summary>
    NoWorkingForm,
    /// <summary>The API answered 401/403 and nothing succeeded: the token is wrong, revoked or for another account.</summary>
    TokenRejected,
    /// <summary>Nothing answered successfully (503s, no answer): nothing can be concluded about request forms.</summary>
    ApiUnavailable,
}
