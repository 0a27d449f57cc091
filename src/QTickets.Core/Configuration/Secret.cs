namespace QTickets.Core.Configuration;

/// <summary>
/// A token or password. Its only public face is the fingerprint (<see cref="FingerprintOf"/>), so formatting,
/// serialising or logging a configuration can never print the value: the value is a method's result
/// (<see cref="Reveal"/>), which PowerShell's formatting and serialisers never call. Only the engine calls it, to
/// send the token or password.
/// </summary>
public sealed class Secret
{
    readonly string _value;

    internal Secret(string value) => _value = value;

    /// <summary>The secret itself, for the one place that sends it (the engine's HTTP clients).</summary>
    public string Reveal() => _value;

    public string Fingerprint => FingerprintOf(_value);

    public int Length => _value.Length;

    public override string ToString() => Fingerprint;

    /// <summary>
    /// Enough for a person to tell which token was sent, never enough to matter: at most 4 characters, and fewer
    /// the shorter the value, because each shown character is a larger share of a short secret (a 10-character
    /// password is often a word or a date). 24 or more characters: first 2 and last 2; 12 to 23: first and last;
    /// under 12: none.
    /// </summary>
    public static string FingerprintOf(string value) =>
        value.Length switch
        {
            0 => "(empty)",
            < 12 => "***",
            < 24 => value[..1] + "***" + value[^1..],
            _ => value[..2] + "***" + value[^2..],
        };
}
