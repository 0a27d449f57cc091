using QTickets.Sandbox.Json;

namespace QTickets.Sandbox.Data;

/// <summary>A stored resource item. Rendering happens per request (nothing pre-rendered is kept).</summary>
internal interface IDoc
{
    long Id { get; }
    JNode ToNode();
    /// <summary>Fast typed access to common top-level columns; false = fall back to the rendered node.</summary>
    bool TryGetFast(string column, out Val value);
}

/// <summary>A list endpoint's data, in id-ascending order.</summary>
internal interface IResourceSet
{
    string Resource { get; }       // "Order", "Event"... (used in RESOURCE_NOT_FOUND)
    int DefaultPerPage { get; }
    int Count { get; }
    IDoc GetAt(int index);
    /// <summary>Item as served by /{resource}/{id} (may differ from the list form, as in production).</summary>
    IDoc? FindById(long id);
    /// <summary>
    /// Changes whenever any item of the set may have changed (items added, fields mutated): a cached query answer
    /// (<see cref="QueryCache"/>) is only reused while the version it was computed at is current.
    /// </summary>
    int Version { get; }
    /// <summary>
    /// True when GetAt(i).Id is strictly ascending in i and an item's "id" column is its <see cref="IDoc.Id"/>
    /// (TryGetFast("id") answers Val.N(Id)): an id-ordered answer is then the storage order, and an id range is
    /// found by binary search.
    /// </summary>
    bool SortedById { get; }
}

/// <summary>A document held as a parsed JSON node (fixtures, events, discounts, promo codes).</summary>
internal sealed class NodeDoc(JObject node) : IDoc
{
    public JObject Node { get; } = node;
    public long Id { get; } = node["id"] is JNumber n && long.TryParse(n.Raw, out var v) ? v : 0;
    public JNode ToNode() => Node;
    public bool TryGetFast(string column, out Val value) { value = default; return false; }
}

internal sealed class NodeSet : IResourceSet
{
    private readonly List<IDoc> _docs;
    private readonly Dictionary<long, IDoc> _byId = [];
    private readonly Dictionary<long, IDoc> _byIdOverride = [];

    /// <param name="keepOrder">keep the given order as the default order (fixture mode: production's
    /// promo-codes page is not id-ascending); otherwise sort by id (the API's default for the rest)</param>
    public NodeSet(string resource, int defaultPerPage, IEnumerable<IDoc> docs, bool keepOrder = false)
    {
        Resource = resource;
        DefaultPerPage = defaultPerPage;
        var unique = docs.GroupBy(d => d.Id).Select(g => g.First());
        _docs = keepOrder ? unique.ToList() : unique.OrderBy(d => d.Id).ToList();
        foreach (var d in _docs) _byId[d.Id] = d;
    }

    public string Resource { get; }
    public int DefaultPerPage { get; }
    public int Count => _docs.Count;
    public IDoc GetAt(int index) => _docs[index];
    public int Version { get; private set; }
    // A node's "id" is read from its JSON (number or string), not from the parsed Id: no binary search here.
    public bool SortedById => false;

    public void OverrideById(IDoc doc)
    {
        Version++;
        _byIdOverride[doc.Id] = doc;
        if (_byId.TryAdd(doc.Id, doc))
        {
            var at = _docs.FindIndex(d => d.Id > doc.Id);
            _docs.Insert(at < 0 ? _docs.Count : at, doc);
        }
    }

    public IDoc? FindById(long id) => _byIdOverride.TryGetValue(id, out var d) ? d : _byId.GetValueOrDefault(id);
}
