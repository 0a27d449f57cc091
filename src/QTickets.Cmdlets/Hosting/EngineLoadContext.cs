using System.Reflection;
using System.Runtime.Loader;

namespace QTickets.Cmdlets.Hosting;

/// <summary>
/// The module's own load context for QTickets.Engine and its third-party dependencies (Polly,
/// ClickHouse.Driver, Microsoft.Extensions.*, NodaTime), all shipped in the module's `dependencies/` folder.
/// Another module that loaded, say, Polly 7 into the default context cannot break us, and we cannot break it.
/// Anything not found in `dependencies/` (the framework, and QTickets.Cmdlets itself) falls back to the
/// default context, so the engine shares our model and contract types.
/// </summary>
public sealed class EngineLoadContext : AssemblyLoadContext
{
    readonly string _directory;

    EngineLoadContext(string directory) : base("QTickets.Engine", isCollectible: false) => _directory = directory;

    static readonly Lazy<EngineLoadContext> s_instance = new(() =>
        new EngineLoadContext(Path.Combine(Path.GetDirectoryName(typeof(EngineLoadContext).Assembly.Location)!, "dependencies")));

    public static EngineLoadContext Instance => s_instance.Value;

    public string Directory => _directory;

    protected override Assembly? Load(AssemblyName name)
    {
        if (name.Name is null || name.Name == typeof(EngineLoadContext).Assembly.GetName().Name) return null;
        var path = Path.Combine(_directory, name.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = Path.Combine(_directory, unmanagedDllName);
        return File.Exists(path) ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
    }
}
