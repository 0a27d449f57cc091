namespace QTickets.Core.Scheduling;

/// <summary>
/// One thing to put on a machine so the installed module runs on its own: a systemd unit, a crontab line, a
/// command. <see cref="Content"/> holds the installed paths, so it is right for this installation only.
/// </summary>
public sealed class ScheduleFile
{
    public ScheduleFile(ScheduleKind kind, string name, string? path, string content, string install)
    {
        Kind = kind;
        Name = name;
        Path = path;
        Content = content;
        Install = install;
    }

    public ScheduleKind Kind { get; }

    /// <summary>The unit's or script's file name.</summary>
    public string Name { get; }

    /// <summary>Where the file goes (systemd units), or where the script is (scripts); none for a crontab line.</summary>
    public string? Path { get; }

    /// <summary>The file's text, or the command line to run.</summary>
    public string Content { get; }

    /// <summary>What to do with <see cref="Content"/>, in one sentence.</summary>
    public string Install { get; }

    public override string ToString() => Content;
}
