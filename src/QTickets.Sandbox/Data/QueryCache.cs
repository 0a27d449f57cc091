using System.Text;
using QTickets.Sandbox.Json;

namespace QTickets.Sandbox.Data;

/// <summary>
/// The answers of recent list queries, so that reading all pages of one query costs one pass over the set
/// instead of one per page (quadratic in the number of items: 1M orders in pages of 200 would be 5,000 full
/// filter-and-sort passes).
///
/// An entry is the positions (indexes into the set) of every item matching a query's where, in the query's
/// order, computed exactly as <see cref="QueryEngine.RunDirect"/> does; page k of that query is a slice of it.
/// An entry is keyed by the set and the where/orderBy as sent (every other key of the body only picks the page)
/// and is reused only while the set's <see cref="IResourceSet.Version"/> is the one it was computed at: a clock
/// advance, which is what creates and changes orders, makes every entry of the world's sets stale.
///
/// On a set sorted by id (<see cref="IResourceSet.SortedById"/>) and a query ordered by id (or not ordered),
/// range conditions on id (id &gt; n, id &gt;= n, id &lt; n, id &lt;= n with a numeric n: the client's keyset
/// sweep) are left out of the key and applied by binary search on the cached answer of the other conditions,
/// so every sweep step reuses the entry of the pages before it. Filtering is a conjunction of pure tests, so
/// applying some conditions before the others gives the same set; each of these tests is monotone in id, so
/// the rows passing it are a contiguous run of the id-ascending answer. The binary search evaluates the
/// very same <see cref="QueryEngine.Test"/> as the direct path.
///
/// Not thread-safe: used under <see cref="Store.Sync"/>, like the data it indexes.
/// </summary>
internal sealed class QueryCache(int capacity = 16, long maxPositions = 16_000_000)
{
    private sealed class Entry
    {
        public required IResourceSet Set;
        public required string Key;
        public required int Version;
        public required int[] Positions;
        public long Used;
    }

    private readonly List<Entry> _entries = [];
    private long _tick;

    public long Hits { get; private set; }
    public long Misses { get; private set; }
    public int Count => _entries.Count;

    /// <summary>The matching positions of the query (every page), and the part of them [From, To) its id range keeps.</summary>
    public (int[] Positions, int From, int To) Resolve(IResourceSet set, QuerySpec q)
    {
        var idOrder = set.SortedById && (q.OrderBy.Count == 0 ||
            (q.OrderBy.Count == 1 && q.OrderBy[0].Column == "id" && !q.OrderBy[0].Desc));
        var rest = q.Where;
        List<Condition>? range = null;
        if (idOrder && q.Where.Exists(IsIdRange))
        {
            rest = [];
            range = [];
            foreach (var c in q.Where) (IsIdRange(c) ? range : rest).Add(c);
        }
        var orderBy = idOrder ? null : q.OrderBy;
        var positions = GetOrCompute(set, KeyOf(rest, orderBy), () => Compute(set, rest, orderBy));

        int from = 0, to = positions.Length;
        if (range is not null)
            foreach (var c in range)
            {
                // > / >=: false then true along ascending ids; < / <=: true then false.
                var lower = c.Op is ">" or ">=";
                var lo = from; var hi = to;
                while (lo < hi)
                {
                    var mid = lo + (hi - lo) / 2;
                    var pass = QueryEngine.Test(QueryEngine.First(set.GetAt(positions[mid]), c.Path, c.Column), c);
                    if (pass == lower) hi = mid; else lo = mid + 1;
                }
                if (lower) from = lo; else to = lo;
                if (from >= to) { from = to = 0; break; }
            }
        return (positions, from, to);
    }

    private static bool IsIdRange(Condition c) =>
        c.Path.Length == 1 && c.Column == "id" && c.Op is ">" or ">=" or "<" or "<=" && c.Values.Length > 0 &&
        (c.Values[0].Kind == ValKind.Num || (c.Values[0].Kind == ValKind.Str && c.Values[0].TryNum(out _)));

    private int[] GetOrCompute(IResourceSet set, string key, Func<int[]> compute)
    {
        var version = set.Version;
        _entries.RemoveAll(e => ReferenceEquals(e.Set, set) && e.Version != version);
        foreach (var e in _entries)
        {
            if (!ReferenceEquals(e.Set, set) || e.Key != key) continue;
            e.Used = ++_tick;
            Hits++;
            return e.Positions;
        }
        Misses++;
        var positions = compute();
        long total = positions.Length;
        foreach (var e in _entries) total += e.Positions.Length;
        while (_entries.Count > 0 && (_entries.Count >= capacity || total > maxPositions))
        {
            var lru = _entries.MinBy(e => e.Used)!;
            total -= lru.Positions.Length;
            _entries.Remove(lru);
        }
        _entries.Add(new Entry { Set = set, Key = key, Version = version, Positions = positions, Used = ++_tick });
        return positions;
    }

    /// <summary>Filter and sort exactly as <see cref="QueryEngine.RunDirect"/> does, keeping positions.</summary>
    private static int[] Compute(IResourceSet set, List<Condition> where, List<(string[] Path, string Column, bool Desc)>? orderBy)
    {
        var n = set.Count;
        var matched = new int[n];
        var m = 0;
        for (var i = 0; i < n; i++)
            if (QueryEngine.Matches(set.GetAt(i), where)) matched[m++] = i;
        Array.Resize(ref matched, m);
        if (orderBy is not { Count: > 0 }) return matched;

        var docs = new IDoc[m];
        var keys = new Val[m][];
        for (var i = 0; i < m; i++)
        {
            var d = docs[i] = set.GetAt(matched[i]);
            keys[i] = orderBy.Select(o => QueryEngine.First(d, o.Path, o.Column)).ToArray();
        }
        var idx = Enumerable.Range(0, m).ToArray();
        Array.Sort(idx, (x, y) =>
        {
            for (var k = 0; k < orderBy.Count; k++)
            {
                var c = Val.SortCompare(keys[x][k], keys[y][k]);
                if (c != 0) return orderBy[k].Desc ? -c : c;
            }
            return docs[x].Id.CompareTo(docs[y].Id);
        });
        var sorted = new int[m];
        for (var i = 0; i < m; i++) sorted[i] = matched[idx[i]];
        return sorted;
    }

    /// <summary>The where and orderBy as sent (values by JSON type and text), in their order.</summary>
    private static string KeyOf(List<Condition> where, List<(string[] Path, string Column, bool Desc)>? orderBy)
    {
        var sb = new StringBuilder();
        sb.Append(orderBy is null ? "id-order;" : "order;");
        foreach (var c in where)
        {
            Str(sb, c.Column);
            Str(sb, c.Op);
            if (c.Value is null) sb.Append('-'); else Node(sb, c.Value);
            sb.Append(';');
        }
        if (orderBy is not null)
        {
            sb.Append("by;");
            foreach (var o in orderBy) { Str(sb, o.Column); sb.Append(o.Desc ? 'd' : 'a'); }
        }
        return sb.ToString();
    }

    private static void Str(StringBuilder sb, string s) => sb.Append(s.Length).Append(':').Append(s);

    private static void Node(StringBuilder sb, JNode n)
    {
        switch (n)
        {
            case JNull: sb.Append('n'); break;
            case JBool b: sb.Append(b.Value ? 't' : 'f'); break;
            case JNumber x: sb.Append('#'); Str(sb, x.Raw); break;
            case JString s: sb.Append('"'); Str(sb, s.Value); break;
            case JArray a:
                sb.Append('[');
                foreach (var i in a.Items) Node(sb, i);
                sb.Append(']');
                break;
            case JObject o:
                sb.Append('{');
                foreach (var p in o.Props) { Str(sb, p.Key); Node(sb, p.Value); }
                sb.Append('}');
                break;
        }
    }
}
