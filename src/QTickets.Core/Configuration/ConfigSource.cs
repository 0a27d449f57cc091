namespace QTickets.Core.Configuration;

/// <summary>Where one effective setting came from (Get-QTicketsConfig -Source). Secrets show as fingerprints.</summary>
public sealed class ConfigSource
{
    public string Setting { get; init; } = "";
    public string Value { get; init; } = "";
    /// <summary>The variable name that supplied it, the parameter name, or "(default)".</summary>
    public string Variable { get; init; } = "";
    /// <summary>"parameter", an env file's path, "environment", or "default".</summary>
    public string Origin { get; init; } = "";
}
