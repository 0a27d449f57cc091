using System.Management.Automation.Runspaces;
using System.Text;

namespace QTickets.Pwsh;

internal enum RunMode { File, Command, Version, Help }

/// <summary>Thrown for a bad command line: the runner prints one line to stderr and exits 64.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>
/// The runner's own command line, parsed the way pwsh parses its own (ConsoleHost's CommandLineParameterParser):
/// host parameters are case-insensitive and may be abbreviated (-c, -f, -nop, -noni); -File and -Command end the
/// host parameters: everything after the script path is for the script, everything after -Command is joined with
/// spaces into the command text. A first argument that does not start with '-' is taken as the script path.
/// </summary>
internal sealed class CommandLine
{
    public RunMode Mode { get; private set; } = RunMode.Help;
    public string? FilePath { get; private set; }
    public string? CommandText { get; private set; }
    public bool ReadCommandFromStdin { get; private set; }
    public List<CommandParameter> ScriptArgs { get; } = [];
    public bool NoProfile { get; private set; }
    public bool NonInteractive { get; private set; }
    public string? WorkingDirectory { get; private set; }

    // Full name, shortest accepted abbreviation, extra aliases. Order matters only for readability.
    private static readonly (string Name, string MinPrefix, string[] Aliases)[] s_parameters =
    [
        ("File", "f", []),
        ("Command", "c", []),
        ("NoProfile", "nop", []),
        ("NonInteractive", "noni", []),
        ("NoLogo", "nol", []),
        ("ExecutionPolicy", "ex", ["ep"]),
        ("WorkingDirectory", "wo", ["wd"]),
        ("Version", "v", []),
        ("Help", "h", ["?"]),
    ];

    private static string? Match(string arg)
    {
        // Accept -Name, --Name and (like pwsh) /Name is NOT accepted here: on Linux '/x' is a path.
        string key = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : arg[1..];
        if (key.Length == 0)
        {
            return null;
        }

        foreach (var (name, minPrefix, aliases) in s_parameters)
        {
            if (aliases.Any(a => a.Equals(key, StringComparison.OrdinalIgnoreCase)))
            {
                return name;
            }

            if (key.Length >= minPrefix.Length
                && name.StartsWith(key, StringComparison.OrdinalIgnoreCase)
                && key.StartsWith(minPrefix, StringComparison.OrdinalIgnoreCase))
            {
                return name;
            }
        }

        return null;
    }

    public static CommandLine Parse(string[] args)
    {
        var cl = new CommandLine();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (arg.Length < 2 || arg[0] != '-')
            {
                // pwsh 7: a bare first argument is the script file; the rest are its arguments.
                cl.SetFile(args, i);
                return cl;
            }

            string name = Match(arg) ?? throw new UsageException($"unknown option '{arg}' (try -Help)");
            switch (name)
            {
                case "File":
                    if (i + 1 >= args.Length)
                    {
                        throw new UsageException("-File needs a script path");
                    }

                    cl.SetFile(args, i + 1);
                    return cl;
                case "Command":
                    if (i + 1 >= args.Length)
                    {
                        throw new UsageException("-Command needs a value");
                    }

                    cl.Mode = RunMode.Command;
                    if (args[i + 1] == "-" && i + 2 == args.Length)
                    {
                        cl.ReadCommandFromStdin = true;
                    }
                    else
                    {
                        cl.CommandText = string.Join(' ', args[(i + 1)..]);
                    }

                    return cl;
                case "NoProfile":
                    cl.NoProfile = true;
                    break;
                case "NonInteractive":
                    cl.NonInteractive = true;
                    break;
                case "NoLogo":
                    break;
                case "ExecutionPolicy":
                    // Accepted for pwsh compatibility; execution policy does not apply on Linux.
                    if (++i >= args.Length)
                    {
                        throw new UsageException("-ExecutionPolicy needs a value");
                    }

                    break;
                case "WorkingDirectory":
                    if (++i >= args.Length)
                    {
                        throw new UsageException("-WorkingDirectory needs a value");
                    }

                    cl.WorkingDirectory = args[i];
                    break;
                case "Version":
                    cl.Mode = RunMode.Version;
                    return cl;
                case "Help":
                    cl.Mode = RunMode.Help;
                    return cl;
            }
        }

        // Only host switches (or nothing): pwsh would start an interactive shell; we cannot.
        throw new UsageException("nothing to run: give -File <script.ps1> or -Command <text> (try -Help)");
    }

    private void SetFile(string[] args, int pathIndex)
    {
        Mode = RunMode.File;
        FilePath = args[pathIndex];
        if (FilePath == "-")
        {
            throw new UsageException("-File - (script from stdin) is not supported; use -Command -");
        }

        // Same rules as pwsh -File: '-Name' is a parameter name (its value, if any, is the next argument and
        // the engine's binder pairs them, so switches work), '-Name:value' is name+value (true/false/$true/$false
        // become booleans), '-Name:' takes the next argument as its value, anything else is positional.
        string? pending = null;
        for (int i = pathIndex + 1; i < args.Length; i++)
        {
            string arg = args[i];
            if (pending != null)
            {
                ScriptArgs.Add(new CommandParameter(pending, arg));
                pending = null;
            }
            else if (arg.Length > 1 && arg[0] == '-')
            {
                int colon = arg.IndexOf(':');
                if (colon < 0)
                {
                    ScriptArgs.Add(new CommandParameter(arg));
                }
                else if (colon == arg.Length - 1)
                {
                    pending = arg.TrimEnd(':');
                }
                else
                {
                    ScriptArgs.Add(new CommandParameter(arg[..colon], ToBoolIfPossible(arg[(colon + 1)..])));
                }
            }
            else
            {
                ScriptArgs.Add(new CommandParameter(null, arg));
            }
        }

        if (pending != null)
        {
            ScriptArgs.Add(new CommandParameter(pending));
        }
    }

    private static object ToBoolIfPossible(string value)
    {
        string v = value.StartsWith('$') ? value[1..] : value;
        return bool.TryParse(v, out bool b) ? b : value;
    }

    public static string Describe(IEnumerable<CommandParameter> ps)
    {
        var sb = new StringBuilder();
        foreach (var p in ps)
        {
            sb.Append(p.Name is null ? $"[{p.Value}] " : $"{p.Name}={p.Value ?? "<none>"} ");
        }

        return sb.ToString().TrimEnd();
    }
}
