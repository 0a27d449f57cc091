using System.Globalization;
using QTickets.Sandbox.Json;

namespace QTickets.Sandbox.Data;

internal enum ValKind : byte { Null, Bool, Num, Str, Time }

/// <summary>A scalar for filtering/sorting. Timestamps are instants (unix seconds).</summary>
internal readonly struct Val
{
    public readonly ValKind Kind;
    public readonly decimal Num;
    public readonly string? Str;
    public readonly long Unix;
    /// <summary>For a string: 0 = its instant reading not worked out yet, 1 = it is the instant in Unix, 2 = not an instant.</summary>
    private readonly byte _instant;

    private Val(ValKind k, decimal n = 0, string? s = null, long u = 0, byte instant = 0) { Kind = k; Num = n; Str = s; Unix = u; _instant = instant; }

    public static readonly Val Null = new(ValKind.Null);
    public static Val B(bool b) => new(ValKind.Bool, b ? 1 : 0);
    public static Val N(decimal d) => new(ValKind.Num, d);
    public static Val S(string? s) => s is null ? Null : new(ValKind.Str, s: s);
    public static Val T(int ts) => ts == 0 ? Null : new(ValKind.Time, u: Time.ToUnix(ts), s: null);
    public static Val NullableN(long? v) => v is null ? Null : N(v.Value);

    public static Val FromNode(JNode? n) => n switch
    {
        null or JNull => Null,
        JBool b => B(b.Value),
        JNumber num => num.TryDecimal(out var d) ? N(d) : N((decimal)num.AsDouble()),
        JString s => S(s.Value),
        _ => new Val(ValKind.Str, s: n.ToString()), // arrays/objects: compare by their JSON text
    };

    /// <summary>
    /// A value given in a query (a where condition): like <see cref="FromNode"/>, but a string's reading as an
    /// instant is worked out once here instead of on every comparison with every row (a regex per row and value).
    /// Compares exactly like the plain value.
    /// </summary>
    public static Val FromQueryNode(JNode? n)
    {
        var v = FromNode(n);
        if (v.Kind != ValKind.Str) return v;
        return v.TryInstant(out var unix) ? new Val(ValKind.Str, s: v.Str, u: unix, instant: 1) : new Val(ValKind.Str, s: v.Str, instant: 2);
    }

    public bool IsNull => Kind == ValKind.Null;

    /// <summary>Truthiness as PHP/MySQL see it (payed = 1 / true / "1" / "true").</summary>
    public bool? AsBool() => Kind switch
    {
        ValKind.Bool or ValKind.Num => Num != 0,
        ValKind.Str => Str is "1" or "true" ? true : Str is "0" or "false" or "" ? false : null,
        _ => null,
    };

    public bool TryNum(out decimal d)
    {
        if (Kind is ValKind.Num or ValKind.Bool) { d = Num; return true; }
        if (Kind == ValKind.Str && decimal.TryParse(Str, NumberStyles.Float, CultureInfo.InvariantCulture, out d)) return true;
        d = 0; return false;
    }

    public bool TryInstant(out long unix)
    {
        if (Kind == ValKind.Time) { unix = Unix; return true; }
        if (_instant != 0) { unix = Unix; return _instant == 1; }
        if (Kind == ValKind.Str && Str!.Length >= 10 && char.IsDigit(Str[0]) && Time.TryParseInstant(Str, out var dto))
        { unix = dto.ToUnixTimeSeconds(); return true; }
        unix = 0; return false;
    }

    public string AsString() => Kind switch
    {
        ValKind.Str => Str!,
        ValKind.Num => JNumber.Format(Num),
        ValKind.Bool => Num != 0 ? "1" : "0",
        ValKind.Time => Time.Render(Time.FromUnix(Unix)),
        _ => "",
    };

    /// <summary>Three-way comparison of two non-null values; null if they are not comparable.</summary>
    public static int? Compare(in Val a, in Val b)
    {
        if (a.Kind == ValKind.Bool || b.Kind == ValKind.Bool)
        {
            var x = a.AsBool(); var y = b.AsBool();
            if (x is null || y is null) return null;
            return x.Value.CompareTo(y.Value);
        }
        if (a.Kind == ValKind.Time || b.Kind == ValKind.Time)
        {
            if (a.TryInstant(out var ua) && b.TryInstant(out var ub)) return ua.CompareTo(ub);
            return null;
        }
        if (a.Kind == ValKind.Num || b.Kind == ValKind.Num)
        {
            if (a.TryNum(out var da) && b.TryNum(out var db)) return da.CompareTo(db);
            return string.CompareOrdinal(a.AsString(), b.AsString());
        }
        // both strings: timestamps compare as instants, the rest ordinally
        if (a.TryInstant(out var ia) && b.TryInstant(out var ib)) return ia.CompareTo(ib);
        return string.CompareOrdinal(a.Str, b.Str);
    }

    /// <summary>Sort order: nulls first (MySQL ascending), then values.</summary>
    public static int SortCompare(in Val a, in Val b)
    {
        if (a.IsNull) return b.IsNull ? 0 : -1;
        if (b.IsNull) return 1;
        return Compare(a, b) ?? string.CompareOrdinal(a.AsString(), b.AsString());
    }
}

internal sealed class QueryException(string message) : Exception(message);

internal sealed record Condition(string[] Path, string Column, string Op, JNode? Value, Val[] Values);

/// <summary>
/// The JSON body a list endpoint accepts on GET: where / orderBy / page / per_page|perPage / select
/// (+ flat for seats). Anything else in the body is ignored.
/// </summary>
internal sealed class QuerySpec
{
    public List<Condition> Where { get; } = [];
    public List<(string[] Path, string Column, bool Desc)> OrderBy { get; } = [];
    public int Page { get; set; } = 1;
    public int? PerPage { get; set; }
    public List<string>? Select { get; set; }
    public bool Flat { get; set; }
    public bool HasFilterOrSort => Where.Count > 0 || OrderBy.Count > 0;

    private static readonly HashSet<string> Ops =
        ["=", "!=", "<>", "<", ">", "<=", ">=", "in", "not in", "null", "not null", "is null", "is not null", "like", "not like"];

    public static QuerySpec Parse(JNode? body)
    {
        var q = new QuerySpec();
        if (body is not JObject o) return q;

        switch (o["where"])
        {
            case JArray arr:
                foreach (var item in arr.Items) q.Where.Add(ParseCondition(item));
                break;
            case JObject single when single.Has("column"):
                q.Where.Add(ParseCondition(single));
                break;
            case null or JNull: break;
            default: throw new QueryException("where must be an array");
        }

        switch (o["orderBy"])
        {
            case JObject ob:
                foreach (var p in ob.Props)
                {
                    var dir = p.Value is JString s ? s.Value.Trim().ToLowerInvariant() : "asc";
                    q.OrderBy.Add((p.Key.Split('.'), p.Key, dir == "desc"));
                }
                break;
            case JArray oa: // [["col","desc"]] or [{"col":"desc"}] tolerated
                foreach (var it in oa.Items)
                {
                    if (it is JArray pair && pair.Items.Count >= 1 && pair.Items[0] is JString c)
                        q.OrderBy.Add((c.Value.Split('.'), c.Value, pair.Items.Count > 1 && pair.Items[1] is JString d && d.Value.Equals("desc", StringComparison.OrdinalIgnoreCase)));
                    else if (it is JObject po)
                        foreach (var p in po.Props)
                            q.OrderBy.Add((p.Key.Split('.'), p.Key, p.Value is JString d2 && d2.Value.Equals("desc", StringComparison.OrdinalIgnoreCase)));
                }
                break;
        }

        q.Page = Math.Max(1, IntOf(o["page"]) ?? 1);
        q.PerPage = IntOf(o["per_page"]) ?? IntOf(o["perPage"]);
        if (o["select"] is JArray sel)
            q.Select = sel.Items.OfType<JString>().Select(s => s.Value).Where(s => s.Length > 0).ToList();
        q.Flat = o["flat"] is JBool { Value: true } || (o["flat"] is JNumber fn && fn.Raw != "0");
        return q;
    }

    private static int? IntOf(JNode? n) => n switch
    {
        JNumber num when num.TryDecimal(out var d) => (int)Math.Clamp(Math.Truncate(d), int.MinValue, int.MaxValue),
        JString s when int.TryParse(s.Value, out var i) => i,
        _ => null,
    };

    private static Condition ParseCondition(JNode item)
    {
        if (item is JArray tuple && tuple.Items.Count >= 2 && tuple.Items[0] is JString tc)
        {
            // RPC-style ["column", "op", value] / ["column", value] tolerated
            var o = new JObject().Add("column", tc);
            if (tuple.Items.Count == 2) o.Add("value", tuple.Items[1]);
            else { o.Add("operator", tuple.Items[1]); o.Add("value", tuple.Items[2]); }
            item = o;
        }
        if (item is not JObject c || c["column"] is not JString col || col.Value.Length == 0)
            throw new QueryException("condition without column");
        var op = c["operator"] is JString os ? os.Value.Trim().ToLowerInvariant() : "=";
        if (op == "==") op = "=";
        if (!Ops.Contains(op)) throw new QueryException("unknown operator " + op);
        op = op switch { "<>" => "!=", "is null" => "null", "is not null" => "not null", _ => op };
        var value = c["value"];
        Val[] values = value switch
        {
            JArray a => a.Items.Select(Val.FromQueryNode).ToArray(),
            null => [],
            _ => [Val.FromQueryNode(value)],
        };
        if (op is "in" or "not in" && value is not JArray) { /* single value tolerated */ }
        return new Condition(col.Value.Split('.'), col.Value, op, value, values);
    }
}

internal static class QueryEngine
{
    public sealed record PageResult(List<IDoc> Items, int Total, int PerPage, int Page);

    /// <summary>
    /// One page of a list query. With a <paramref name="cache"/> a filtered or sorted query is answered from
    /// the cached, fully filtered and sorted positions of its (where, orderBy) (see <see cref="QueryCache"/>), so
    /// page k costs a slice once page 1 was asked; without one, every call filters and sorts the whole set
    /// (<see cref="RunDirect"/>, the reference the cached answers are tested against).
    /// </summary>
    public static PageResult Run(IResourceSet set, QuerySpec q, int maxPerPage, int? defaultPerPage = null, QueryCache? cache = null)
    {
        if (cache is null || !q.HasFilterOrSort) return RunDirect(set, q, maxPerPage, defaultPerPage);
        var perPage = PerPageOf(set, q, maxPerPage, defaultPerPage);
        var skip = (long)(q.Page - 1) * perPage;
        var (positions, from, to) = cache.Resolve(set, q);
        var items = new List<IDoc>(Math.Min(perPage, Math.Max(0, to - from)));
        for (var i = from + skip; i < to && items.Count < perPage; i++) items.Add(set.GetAt(positions[i]));
        return new(items, to - from, perPage, q.Page);
    }

    private static int PerPageOf(IResourceSet set, QuerySpec q, int maxPerPage, int? defaultPerPage) =>
        q.PerPage is int pp && pp > 0 ? Math.Min(pp, maxPerPage) : defaultPerPage ?? set.DefaultPerPage;

    /// <summary>The uncached answer: filter every item, sort the matches, slice the page.</summary>
    public static PageResult RunDirect(IResourceSet set, QuerySpec q, int maxPerPage, int? defaultPerPage = null)
    {
        var perPage = PerPageOf(set, q, maxPerPage, defaultPerPage);
        var skip = (long)(q.Page - 1) * perPage;
        var items = new List<IDoc>();

        if (!q.HasFilterOrSort)
        {
            var total = set.Count;
            for (long i = skip; i < total && items.Count < perPage; i++) items.Add(set.GetAt((int)i));
            return new(items, total, perPage, q.Page);
        }

        var matched = new List<IDoc>();
        var n = set.Count;
        for (var i = 0; i < n; i++)
        {
            var d = set.GetAt(i);
            if (Matches(d, q.Where)) matched.Add(d);
        }
        if (q.OrderBy.Count > 0)
        {
            var keys = matched.Select(d => q.OrderBy.Select(o => First(d, o.Path, o.Column)).ToArray()).ToArray();
            var idx = Enumerable.Range(0, matched.Count).ToArray();
            Array.Sort(idx, (x, y) =>
            {
                for (var k = 0; k < q.OrderBy.Count; k++)
                {
                    var c = Val.SortCompare(keys[x][k], keys[y][k]);
                    if (c != 0) return q.OrderBy[k].Desc ? -c : c;
                }
                return matched[x].Id.CompareTo(matched[y].Id);
            });
            matched = idx.Select(i => matched[i]).ToList();
        }
        for (long i = skip; i < matched.Count && items.Count < perPage; i++) items.Add(matched[(int)i]);
        return new(items, matched.Count, perPage, q.Page);
    }

    internal static Val First(IDoc d, string[] path, string column)
    {
        if (path.Length == 1 && d.TryGetFast(column, out var v)) return v;
        var list = new List<JNode>(1);
        d.ToNode().Collect(path, list);
        return list.Count > 0 ? Val.FromNode(list[0]) : Val.Null;
    }

    public static bool Matches(IDoc d, List<Condition> where)
    {
        foreach (var c in where)
        {
            if (c.Path.Length == 1 && d.TryGetFast(c.Column, out var fast))
            {
                if (!Test(fast, c)) return false;
                continue;
            }
            var found = new List<JNode>(2);
            d.ToNode().Collect(c.Path, found);
            if (found.Count == 0) found.Add(JNode.Null); // a missing column behaves as NULL
            var any = false;
            foreach (var f in found)
            {
                // a column holding a JSON array (e.g. baskets.related_baskets) is matched per element
                if (Test(Val.FromNode(f), c)) { any = true; break; }
            }
            if (!any) return false;
        }
        return true;
    }

    public static bool Test(in Val v, Condition c)
    {
        switch (c.Op)
        {
            case "null": return v.IsNull;
            case "not null": return !v.IsNull;
            case "in":
            case "not in":
            {
                if (v.IsNull) return false;
                var hit = false;
                foreach (var x in c.Values)
                    if (!x.IsNull && Val.Compare(v, x) == 0) { hit = true; break; }
                return c.Op == "in" ? hit : !hit;
            }
            case "like":
            case "not like":
            {
                if (v.IsNull || c.Values.Length == 0) return false;
                var pattern = "^" + System.Text.RegularExpressions.Regex.Escape(c.Values[0].AsString()).Replace("%", ".*").Replace("_", ".") + "$";
                var m = System.Text.RegularExpressions.Regex.IsMatch(v.AsString(), pattern, System.Text.RegularExpressions.RegexOptions.IgnoreCase);
                return c.Op == "like" ? m : !m;
            }
        }
        var target = c.Values.Length > 0 ? c.Values[0] : Val.Null;
        // Laravel turns where(col, '=', null) into IS NULL and '!=' null into IS NOT NULL.
        if (target.IsNull)
            return c.Op switch { "=" => v.IsNull, "!=" => !v.IsNull, _ => false };
        if (v.IsNull) return false;
        var cmp = Val.Compare(v, target);
        if (cmp is null) return c.Op == "!=";
        return c.Op switch
        {
            "=" => cmp == 0,
            "!=" => cmp != 0,
            "<" => cmp < 0,
            ">" => cmp > 0,
            "<=" => cmp <= 0,
            ">=" => cmp >= 0,
            _ => false,
        };
    }

    /// <summary>select projection: keeps the listed (dotted) paths, in the document's own key order.</summary>
    public static JNode Project(JNode node, List<string> select)
    {
        var tree = new SelTree();
        foreach (var s in select)
        {
            var t = tree;
            foreach (var part in s.Split('.'))
            {
                if (t.All) break;
                t = t.Children.TryGetValue(part, out var ch) ? ch : t.Children[part] = new SelTree();
            }
            t.All = true;
            t.Children.Clear();
        }
        return Project(node, tree);
    }

    private sealed class SelTree
    {
        public bool All;
        public Dictionary<string, SelTree> Children { get; } = [];
    }

    private static JNode Project(JNode node, SelTree t)
    {
        if (t.All) return node;
        switch (node)
        {
            case JObject o:
            {
                var r = new JObject();
                foreach (var p in o.Props)
                    if (t.Children.TryGetValue(p.Key, out var ch)) r.Add(p.Key, Project(p.Value, ch));
                return r;
            }
            case JArray a: return new JArray(a.Items.Select(i => Project(i, t)));
            default: return node;
        }
    }
}
