namespace QTickets.Core.Diagnostics;

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
