using System.Management.Automation;
using System.Reflection;

namespace QTickets.HelpGen;

/// <summary>
/// Reads the cmdlets of an assembly through the engine's CmdletInfo: the parameter sets, positions and pipeline
/// flags are exactly those Get-Command and the binder use. Defaults are read from a fresh instance of the cmdlet.
/// </summary>
public static class CmdletCatalog
{
    static readonly HashSet<string> s_common = new(
        Cmdlet.CommonParameters.Concat(Cmdlet.OptionalCommonParameters), StringComparer.OrdinalIgnoreCase);

    public static IReadOnlyList<CommandMetadataView> Load(string assemblyPath)
    {
        var assembly = Assembly.LoadFrom(assemblyPath);
        return assembly.GetExportedTypes()
            .Where(t => !t.IsAbstract && t.GetCustomAttribute<CmdletAttribute>() is not null)
            .Select(Describe)
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .ToList();
    }

    static CommandMetadataView Describe(Type type)
    {
        var attribute = type.GetCustomAttribute<CmdletAttribute>()!;
        var name = attribute.VerbName + "-" + attribute.NounName;
        var info = new CmdletInfo(name, type);
        var instance = TryCreate(type);

        var sets = info.ParameterSets.Where(s => s.Parameters.Any(p => !s_common.Contains(p.Name)) || info.ParameterSets.Count == 1).ToList();
        var merged = new Dictionary<string, ParameterView>(StringComparer.OrdinalIgnoreCase);
        var order = new List<string>();
        foreach (var set in sets)
        {
            foreach (var p in set.Parameters.Where(p => !s_common.Contains(p.Name)))
            {
                var position = p.Position >= 0 ? p.Position.ToString(System.Globalization.CultureInfo.InvariantCulture) : "named";
                if (merged.TryGetValue(p.Name, out var known))
                {
                    merged[p.Name] = known with
                    {
                        MandatoryInAnySet = known.MandatoryInAnySet || p.IsMandatory,
                        MandatoryInEverySet = known.MandatoryInEverySet && p.IsMandatory,
                        ByValue = known.ByValue || p.ValueFromPipeline,
                        ByPropertyName = known.ByPropertyName || p.ValueFromPipelineByPropertyName,
                        Position = known.Position == "named" ? position : known.Position,
                    };
                    continue;
                }
                order.Add(p.Name);
                merged[p.Name] = new ParameterView(p.Name, p.ParameterType, p.IsMandatory, p.IsMandatory, position,
                    p.ValueFromPipeline, p.ValueFromPipelineByPropertyName, p.Aliases.ToList(), DefaultOf(instance, type, p.Name));
            }
        }

        // Dynamic parameters (the shared connection parameters) belong to every set, after the cmdlet's own.
        var dynamic = DynamicParameters(instance);
        foreach (var p in dynamic)
        {
            order.Add(p.Name);
            merged[p.Name] = p;
        }

        var syntax = sets.Select(s => new SyntaxView(s.Name, s.IsDefault,
                s.Parameters.Where(p => !s_common.Contains(p.Name))
                    .Where(p => merged.ContainsKey(p.Name))
                    .Select(p => (merged[p.Name], p.IsMandatory,
                        p.Position >= 0 ? p.Position.ToString(System.Globalization.CultureInfo.InvariantCulture) : "named"))
                    .Concat(dynamic.Select(p => (p, false, "named")))
                    .Concat(s.Parameters.Where(p => p.Name is "WhatIf" or "Confirm").Select(p => (Common(p), false, "named")))
                    .ToList()))
            .ToList();

        var outputs = info.OutputType.Select(o => o.Type).Where(t => t is not null).Distinct().ToList();
        return new CommandMetadataView(name, attribute.VerbName, attribute.NounName, order.Select(n => merged[n]).ToList(),
            syntax, outputs!, attribute.SupportsShouldProcess);
    }

    /// <summary>
    /// The parameters of the object a cmdlet returns from GetDynamicParameters without any bound parameter (as
    /// Get-Command sees them): public properties with [Parameter], named, optional, in any set.
    /// </summary>
    static List<ParameterView> DynamicParameters(object? instance)
    {
        if (instance is not IDynamicParameters cmdlet || cmdlet.GetDynamicParameters() is not { } group) return [];
        return group.GetType().GetProperties()
            .Where(p => p.GetCustomAttribute<ParameterAttribute>() is not null)
            .OrderBy(p => p.DeclaringType == group.GetType() ? 1 : 0) // a base class's parameters first
            .Select(p => new ParameterView(p.Name, p.PropertyType, false, false, "named", false, false,
                p.GetCustomAttribute<AliasAttribute>()?.AliasNames.ToList() ?? [], DefaultOf(group, group.GetType(), p.Name)))
            .ToList();
    }

    static ParameterView Common(CommandParameterInfo p) =>
        new(p.Name, p.ParameterType, false, false, "named", false, false, p.Aliases.ToList(), null);

    static object? TryCreate(Type type)
    {
        try { return Activator.CreateInstance(type); }
        catch (Exception) { return null; }
    }

    /// <summary>The property's initial value when it says something (not null, empty, zero-valued or a switch).</summary>
    static string? DefaultOf(object? instance, Type type, string name)
    {
        if (instance is null) return null;
        var value = type.GetProperty(name)?.GetValue(instance);
        return value switch
        {
            null or SwitchParameter => null,
            string s when s.Length == 0 => null,
            Array a when a.Length == 0 => null,
            int and 0 or long and 0 or ulong and 0 => null,
            IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
            _ => value.ToString(),
        };
    }
}
