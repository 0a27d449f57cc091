namespace QTickets.Core.Json;

/// <summary>
/// The names of an order's buyer and ticket holders that its kept texts must not quote: each value split at white
/// space into parts of two letters or more, a part listed once whatever its case, in the order they were added. Held
/// as chars in one buffer the reader reuses: a text is checked against them without a string per name, and the strings
/// <see cref="PersonalData.MaskNames"/> takes are made only for an order whose texts quote one.
/// </summary>
internal sealed class OrderNames
{
    char[] _chars = new char[256];
    int _used;
    readonly List<(int Start, int Length)> _parts = new();
    readonly List<string> _strings = new();

    public int Count => _parts.Count;

    public void Clear()
    {
        _used = 0;
        _parts.Clear();
        _strings.Clear();
    }

    public void Add(ReadOnlySpan<char> value)
    {
        while (value.Length > 0)
        {
            var start = 0;
            while (start < value.Length && char.IsWhiteSpace(value[start])) start++;
            var end = start;
            while (end < value.Length && !char.IsWhiteSpace(value[end])) end++;
            var part = value[start..end];
            value = value[end..];
            if (part.IsEmpty) break;
            var letters = 0;
            foreach (var c in part) if (char.IsLetter(c)) letters++;
            if (letters < 2) continue;
            var known = false;
            for (var i = 0; i < _parts.Count && !known; i++) known = part.Equals(Part(i), StringComparison.OrdinalIgnoreCase);
            if (known) continue;
            if (_chars.Length < _used + part.Length) Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _used + part.Length));
            part.CopyTo(_chars.AsSpan(_used));
            _parts.Add((_used, part.Length));
            _used += part.Length;
        }
    }

    /// <summary>Whether any name is in the text at all (ignoring case), whole word or not.</summary>
    public bool AnyIn(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < _parts.Count; i++)
            if (text.IndexOf(Part(i), StringComparison.OrdinalIgnoreCase) >= 0) return true;
        return false;
    }

    /// <summary>The names as strings, made on first use for this order.</summary>
    public IReadOnlyList<string> Strings
    {
        get
        {
            if (_strings.Count == 0)
                for (var i = 0; i < _parts.Count; i++) _strings.Add(Part(i).ToString());
            return _strings;
        }
    }

    /// <summary><see cref="PersonalData.MaskText"/>'s last step: the names masked in a text that quotes one.</summary>
    public string Mask(string text) => Count > 0 && AnyIn(text) ? PersonalData.MaskNames(text, Strings) : text;

    ReadOnlySpan<char> Part(int i) => _chars.AsSpan(_parts[i].Start, _parts[i].Length);
}
