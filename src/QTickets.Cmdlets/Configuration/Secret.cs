namespace QTickets.Configuration;

/// <summary>
/// A token or password. Its only public face is the fingerprint (first 4 + *** + last 4), so formatting,
/// serialising or logging a configuration can never print the value. The engine reads <see cref="Value"/>
/// through InternalsVisibleTo.
/// </summary>
public sealed class Secret
{
    internal Secret(string value) => Value = value;

    internal string Value { get; }

    public string Fingerprint => FingerprintOf(Value);

    public int Length => Value.Length;

    public override string ToString() => Fingerprint;

    public static string FingerprintOf(string value) =>
        value.Length switch
        {
            0 => "(empty)",
            // Short values would be revealed almost entirely by 4 + 4 characters.
            <= 8 => value[..Math.Min(2, value.Length)] + "***",
            _ => value[..4] + "***" + value[^4..],
        };
}
