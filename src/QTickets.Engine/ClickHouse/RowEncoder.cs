using System.Reflection;
using QTickets.Core.Contracts;

namespace QTickets.Engine.ClickHouse;

/// <summary>Encodes one row into a batch; a value the column cannot hold throws <see cref="RowValueException"/>.</summary>
internal interface IRowEncoder<in TRow>
{
    IReadOnlyList<TableColumn> Columns { get; }

    void Encode(TRow row, EncodedBatch batch);
}

/// <summary>A value of column <see cref="Column"/> (its index in the writer's columns) that its type cannot hold.</summary>
internal sealed class RowValueException(int column, object? value, Exception inner) : Exception(inner.Message, inner)
{
    public int Column { get; } = column;

    /// <summary>Only the value's type is kept for messages: the value may be a customer's name or phone.</summary>
    public string ValueKind { get; } = value is null ? "null" : $"a {value.GetType().Name} value";
}

/// <summary>Rows as value arrays in column order (Write-QTicketsClickHouse's arbitrary objects, the store's own rows).</summary>
internal sealed class ValueArrayEncoder(IReadOnlyList<TableColumn> columns, ColumnEncoder[] encoders) : IRowEncoder<object?[]>
{
    public IReadOnlyList<TableColumn> Columns { get; } = columns;

    public void Encode(object?[] row, EncodedBatch batch)
    {
        if (row.Length != encoders.Length)
            throw new ArgumentException($"A row has {row.Length} values; the writer's columns are {encoders.Length}.");
        for (var i = 0; i < row.Length; i++)
        {
            try { encoders[i].Write(batch, row[i]); }
            catch (Exception ex) when (ColumnEncoder.IsValueFailure(ex)) { throw new RowValueException(i, row[i], ex); }
        }
    }
}

/// <summary>
/// Typed rows: one accessor per column, bound once per writer to the property's getter and the column's encoder, so
/// a row's values go from the object to RowBinary without boxing (<see cref="IValueEncoder{T}"/>) and without a
/// name lookup. The columns are the type's public properties without <see cref="NotStoredAttribute"/>, checked
/// against the table's when the writer opens.
/// </summary>
internal sealed class TypedRowEncoder<T> : IRowEncoder<T> where T : class
{
    /// <summary>The type's stored properties, found once per type.</summary>
    static readonly PropertyInfo[] s_all = typeof(T)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.GetMethod is not null && p.GetCustomAttribute<NotStoredAttribute>() is null)
        .ToArray();

    readonly PropertyInfo[] _properties;
    readonly Action<T, EncodedBatch>[] _accessors;

    /// <param name="tableColumns">The table's columns as the server describes them.</param>
    /// <param name="missing">Called with the stored properties the table has no column for; returns the exception to throw.</param>
    /// <param name="encoderFor">The column's encoder (throws for a type the writer cannot write).</param>
    /// <param name="omitted">Stored properties this table does not hold (<see cref="WriteOptions.Omitted"/>).</param>
    public TypedRowEncoder(IReadOnlyList<TableColumn> tableColumns, IReadOnlyList<string> omitted,
        Func<IReadOnlyList<string>, Exception> missing, Func<TableColumn, ColumnEncoder> encoderFor)
    {
        var unknown = omitted.Where(o => !Array.Exists(s_all, p => p.Name == o)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"{typeof(T).Name} has no stored property {string.Join(", ", unknown)} to omit.");
        _properties = s_all.Where(p => !omitted.Contains(p.Name)).ToArray();
        var byName = tableColumns.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var lacking = _properties.Where(p => !byName.ContainsKey(p.Name)).Select(p => p.Name).ToList();
        if (lacking.Count > 0) throw missing(lacking);
        Columns = _properties.Select(p => byName[p.Name]).ToList();
        _accessors = new Action<T, EncodedBatch>[_properties.Length];
        for (var i = 0; i < _properties.Length; i++)
        {
            var encoder = encoderFor(Columns[i]);
            var source = SourceOf(_properties[i]);
            var type = source.PropertyType;
            var method = encoder is ColumnEncoder.NullableEncoder && Nullable.GetUnderlyingType(type) is { } inner
                ? s_bindNullable.MakeGenericMethod(inner)
                : encoder is ColumnEncoder.NullableEncoder && type.IsValueType
                    ? s_bindPresent.MakeGenericMethod(type)
                    : s_bind.MakeGenericMethod(type);
            _accessors[i] = (Action<T, EncodedBatch>)method.Invoke(null, new object[] { source, encoder })!;
        }
    }

    public IReadOnlyList<TableColumn> Columns { get; }

    /// <summary>The property the column's value is read from: <see cref="StoredFromAttribute"/>'s, else the column's own.</summary>
    static PropertyInfo SourceOf(PropertyInfo column) =>
        column.GetCustomAttribute<StoredFromAttribute>() is { } from
            ? typeof(T).GetProperty(from.Property, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
              ?? throw new ArgumentException($"{typeof(T).Name}.{column.Name} is stored from {from.Property}, which {typeof(T).Name} does not have.")
            : column;

    public void Encode(T row, EncodedBatch batch)
    {
        for (var i = 0; i < _accessors.Length; i++)
        {
            try { _accessors[i](row, batch); }
            catch (Exception ex) when (ColumnEncoder.IsValueFailure(ex)) { throw new RowValueException(i, _properties[i].GetValue(row), ex); }
        }
    }

    static readonly MethodInfo s_bind = typeof(TypedRowEncoder<T>).GetMethod(nameof(Bind), BindingFlags.NonPublic | BindingFlags.Static)!;
    static readonly MethodInfo s_bindPresent = typeof(TypedRowEncoder<T>).GetMethod(nameof(BindPresent), BindingFlags.NonPublic | BindingFlags.Static)!;
    static readonly MethodInfo s_bindNullable = typeof(TypedRowEncoder<T>).GetMethod(nameof(BindNullable), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>A Nullable(X) column from a property that always has a value: the "not null" flag, then X's typed path.</summary>
    static Action<T, EncodedBatch> BindPresent<TValue>(PropertyInfo property, ColumnEncoder.NullableEncoder encoder) where TValue : struct
    {
        var inner = Bind<TValue>(property, encoder.Inner);
        return (row, batch) =>
        {
            batch.WriteByte(0);
            inner(row, batch);
        };
    }

    /// <summary>A Nullable(X) column from a TValue? property: the null flag, then X's typed path.</summary>
    static Action<T, EncodedBatch> BindNullable<TValue>(PropertyInfo property, ColumnEncoder.NullableEncoder encoder) where TValue : struct
    {
        var get = property.GetMethod!.CreateDelegate<Func<T, TValue?>>();
        if (encoder.Inner is not IValueEncoder<TValue> typed) return (row, batch) => encoder.Write(batch, get(row));
        return (row, batch) =>
        {
            var value = get(row);
            batch.WriteByte(value.HasValue ? (byte)0 : (byte)1);
            if (value.HasValue) typed.Write(batch, value.GetValueOrDefault());
        };
    }

    static Action<T, EncodedBatch> Bind<TValue>(PropertyInfo property, ColumnEncoder encoder)
    {
        var get = property.GetMethod!.CreateDelegate<Func<T, TValue>>();
        if (encoder is IValueEncoder<TValue> typed) return (row, batch) => typed.Write(batch, get(row));
        // A type the column's encoder has no typed path for (none of the module's row types): the boxing path.
        return (row, batch) => encoder.Write(batch, get(row));
    }
}
