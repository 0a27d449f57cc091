using System.Reflection;
using QTickets.Core.Contracts;

namespace QTickets.Cmdlets.Hosting;

/// <summary>
/// Finds the engine. Inside the module it is loaded from `dependencies/` into <see cref="EngineLoadContext"/>;
/// in unit tests and benchmarks, where QTickets.Engine is referenced directly, the already-loaded copy is used.
/// </summary>
public static class EngineHost
{
    const string EngineAssembly = "QTickets.Engine";
    const string EngineType = "QTickets.Engine.Engine";

    static readonly Lazy<IEngine> s_engine = new(Create);

    public static IEngine Engine => s_engine.Value;

    static IEngine Create()
    {
        var assembly = File.Exists(Path.Combine(EngineLoadContext.Instance.Directory, EngineAssembly + ".dll"))
            ? EngineLoadContext.Instance.LoadFromAssemblyPath(Path.Combine(EngineLoadContext.Instance.Directory, EngineAssembly + ".dll"))
            : LoadBeside();
        var type = assembly.GetType(EngineType, throwOnError: true)!;
        return (IEngine)Activator.CreateInstance(type)!;
    }

    // Unit tests and benchmarks reference QTickets.Engine directly: it sits beside this assembly.
    static Assembly LoadBeside()
    {
        var beside = Path.Combine(Path.GetDirectoryName(typeof(EngineHost).Assembly.Location)!, EngineAssembly + ".dll");
        if (!File.Exists(beside))
            throw new FileNotFoundException(
                $"The QTickets engine is missing from '{EngineLoadContext.Instance.Directory}'. The module folder is incomplete: " +
                "install it again (Install-PSResource QTickets -Reinstall) or, in a source checkout, run './build.sh build'.", beside);
        return Assembly.Load(new AssemblyName(EngineAssembly));
    }
}
