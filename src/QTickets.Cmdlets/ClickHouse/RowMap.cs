using System.Collections;
using System.Management.Automation;
using System.Reflection;
using QTickets.Core.Contracts;

namespace QTickets.Cmdlets.ClickHouse;

/// <summary>
/// Turns pipeline objects into value arrays in a table's column order. Columns are matched to properties by
/// name (the row types name their properties like the legacy columns), or through a column map
/// (column = property). Built once from the table's columns and the first object; typed rows use cached
/// PropertyInfo getters, PSCustomObjects their note properties.
/// </summary>
public sealed class RowMap
{
    readonly string[] _properties;
    readonly Type? _clrType;
    readonly Func<object, object?>?[] _getters;

    RowMap(IReadOnlyList<TableColumn> columns, string[] properties, Type? clrType)
    {
        Columns = columns;
        _properties = properties;
        _clrType = clrType;
        _getters = clrType is null
            ? new Func<object, object?>?[properties.Length]
            : properties.Select(p => clrType.GetProperty(p, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase))
                .Select(p => p?.GetMethod is null ? null : Getter(clrType, p)).ToArray();
    }

    /// <summary>The table columns written, in order (a subset of the table's: the rest take their defaults).</summary>
    public IReadOnlyList<TableColumn> Columns { get; }

    /// <summary>
    /// Matches <paramref name="tableColumns"/> to <paramref name="sample"/>'s properties. With a column map only
    /// its columns are written; without one, every table column the object has. Throws ArgumentException naming
    /// a mapped column the table lacks or a mapped property the object lacks.
    /// </summary>
    public static RowMap Create(string table, IReadOnlyList<TableColumn> tableColumns, object sample, IDictionary? columnMap)
    {
        var byName = tableColumns.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var names = PropertyNames(sample);
        var columns = new List<TableColumn>();
        var properties = new List<string>();
        if (columnMap is { Count: > 0 })
        {
            foreach (DictionaryEntry entry in columnMap)
            {
                var column = entry.Key?.ToString() ?? "";
                var property = entry.Value?.ToString() ?? "";
                if (!byName.TryGetValue(column, out var c))
                    throw new ArgumentException($"-ColumnMap names column '{column}', which table {table} does not have. " +
                        $"Its columns: {string.Join(", ", tableColumns.Select(x => x.Name))}.");
                var match = names.FirstOrDefault(n => string.Equals(n, property, StringComparison.OrdinalIgnoreCase))
                    ?? throw new ArgumentException($"-ColumnMap maps column '{column}' to property '{property}', which the input objects lack. " +
                        $"Their properties: {string.Join(", ", names)}.");
                columns.Add(c);
                properties.Add(match);
            }
            // Table order, so the INSERT column list reads like the table.
            var order = tableColumns.Select((c, i) => (c.Name, i)).ToDictionary(x => x.Name, x => x.i);
            var sorted = columns.Zip(properties).OrderBy(x => order[x.First.Name]).ToList();
            columns = sorted.Select(x => x.First).ToList();
            properties = sorted.Select(x => x.Second).ToList();
        }
        else
        {
            foreach (var c in tableColumns)
            {
                var match = names.FirstOrDefault(n => string.Equals(n, c.Name, StringComparison.Ordinal));
                if (match is null) continue;
                columns.Add(c);
                properties.Add(match);
            }
            if (columns.Count == 0)
                throw new ArgumentException($"The input objects have no property named like a column of {table} " +
                    $"({string.Join(", ", tableColumns.Select(x => x.Name))}); pass -ColumnMap @{{ column = 'Property' }}.");
        }
        var baseObject = sample is PSObject pso ? pso.BaseObject : sample;
        var clrType = baseObject is PSCustomObject or IDictionary ? null : baseObject.GetType();
        return new RowMap(columns, properties.ToArray(), clrType);
    }

    /// <summary>The values of <paramref name="input"/> in <see cref="Columns"/> order; a missing property is null.</summary>
    public object?[] Values(object input)
    {
        var values = new object?[_properties.Length];
        var baseObject = input is PSObject pso ? pso.BaseObject : input;
        if (_clrType is not null && baseObject.GetType() == _clrType)
        {
            for (var i = 0; i < values.Length; i++) values[i] = Unwrap(_getters[i]?.Invoke(baseObject));
            return values;
        }
        if (baseObject is IDictionary dictionary)
        {
            for (var i = 0; i < values.Length; i++) values[i] = Unwrap(dictionary[_properties[i]]);
            return values;
        }
        var wrapped = input as PSObject ?? PSObject.AsPSObject(input);
        for (var i = 0; i < values.Length; i++) values[i] = Unwrap(wrapped.Properties[_properties[i]]?.Value);
        return values;
    }

    /// <summary>
    /// A property's getter bound once as a delegate: PropertyInfo.GetValue per column per row is slow reflection for
    /// what a million-row pipeline does a million times.
    /// </summary>
    static Func<object, object?> Getter(Type type, PropertyInfo property) =>
        type.IsValueType || property.PropertyType.IsByRefLike || property.GetIndexParameters().Length > 0
            ? property.GetValue // a struct's getter takes its instance by reference: no such delegate
            : (Func<object, object?>)s_bind.MakeGenericMethod(type, property.PropertyType).Invoke(null, [property])!;

    static readonly MethodInfo s_bind = typeof(RowMap).GetMethod(nameof(Bind), BindingFlags.NonPublic | BindingFlags.Static)!;

    static Func<object, object?> Bind<TObject, TValue>(PropertyInfo property)
    {
        var get = property.GetMethod!.CreateDelegate<Func<TObject, TValue>>();
        return o => get((TObject)o);
    }

    /// <summary>The plain value: PowerShell wraps values, and the elements of arrays it builds, in PSObjects.</summary>
    static object? Unwrap(object? value) => value switch
    {
        PSObject p => Unwrap(p.BaseObject),
        object?[] items when Array.Exists(items, i => i is PSObject) => Array.ConvertAll(items, Unwrap),
        _ => value,
    };

    static List<string> PropertyNames(object sample)
    {
        var baseObject = sample is PSObject pso ? pso.BaseObject : sample;
        if (baseObject is IDictionary dictionary) return dictionary.Keys.Cast<object>().Select(k => k.ToString()!).ToList();
        if (baseObject is not PSCustomObject && sample is not PSObject)
            return baseObject.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).ToList();
        var wrapped = sample as PSObject ?? PSObject.AsPSObject(sample);
        return wrapped.Properties.Select(p => p.Name).ToList();
    }
}
