namespace QTickets.Core.Configuration;

/// <summary>Bad or missing configuration. The message names the variable(s) and says how to fix them.</summary>
public class ConfigurationException : Exception
{
    public ConfigurationException(string message) : base(message) { }

    public ConfigurationException(IReadOnlyList<string> problems)
        : base(problems.Count == 1 ? problems[0] : "Configuration has " + problems.Count + " problems:" + Environment.NewLine +
               string.Join(Environment.NewLine, problems.Select(p => "  - " + p)))
        => Problems = problems;

    public IReadOnlyList<string> Problems { get; } = Array.Empty<string>();
}

/// <summary>An env file named with -EnvFile that is not there (its own error id: a typo in a path, not a bad value).</summary>
public sealed class EnvFileNotFoundException(string path) : ConfigurationException(
    $"Env file '{path}' does not exist. Check the path given with -EnvFile (relative paths are resolved from the current directory).")
{
    public string Path { get; } = path;
}
