namespace QTickets.Core.Configuration;

/// <summary>Bad or missing configuration. The message names the variable(s) and says how to fix them.</summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException(string message) : base(message) { }

    public ConfigurationException(IReadOnlyList<string> problems)
        : base(problems.Count == 1 ? problems[0] : "Configuration has " + problems.Count + " problems:" + Environment.NewLine +
               string.Join(Environment.NewLine, problems.Select(p => "  - " + p)))
        => Problems = problems;

    public IReadOnlyList<string> Problems { get; } = Array.Empty<string>();
}
