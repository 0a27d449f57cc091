using System.Collections;
using System.Globalization;
using System.Numerics;
using NodaTime;
using QTickets.Core.Json;

namespace QTickets.Engine.ClickHouse;

/// <summary>
/// Writes one column's values as ClickHouse RowBinary. Built once per column from its type as system.columns
/// spells it. Values convert the way ClickHouse.Driver's binary insert converted them (numbers through
/// <see cref="Convert"/> with the invariant culture, a DateTime without a kind in the column's time zone or UTC),
/// so rows written before and after this writer carry the same bytes. A value that does not convert throws
/// <see cref="ColumnValueException"/>; the writer names the column.
/// </summary>
internal abstract class ColumnEncoder
{
    /// <summary>Writes one value. Null (or DBNull) is refused here, once, unless the type holds it (<see cref="WriteNull"/>).</summary>
    public void Write(EncodedBatch batch, object? value)
    {
        if (value is not (null or DBNull)) WriteValue(batch, value);
        else if (!WriteNull(batch)) throw new ColumnValueException("null in a column that is not Nullable");
    }

    protected abstract void WriteValue(EncodedBatch batch, object value);

    /// <summary>The exceptions that mean "this value does not fit the column" (the writer names the column and row).</summary>
    public static bool IsValueFailure(Exception ex) =>
        ex is ColumnValueException or FormatException or InvalidCastException or OverflowException or ArgumentException;

    /// <summary>Writes the type's form of null (Nullable's flag, an empty Array or Map); false where it has none.</summary>
    protected virtual bool WriteNull(EncodedBatch batch) => false;

    /// <summary>The encoder for <paramref name="type"/>, or null for a type this writer does not write.</summary>
    public static ColumnEncoder? For(string type)
    {
        type = type.Trim();
        if (Unwrap(type, "LowCardinality") is { } low) return For(low); // RowBinary: the plain values
        if (Unwrap(type, "Nullable") is { } nullable) return For(nullable) is { } inner ? new NullableEncoder(inner) : null;
        if (Unwrap(type, "Array") is { } array) return For(array) is { } element ? new ArrayEncoder(element) : null;
        if (Unwrap(type, "Map") is { } map)
        {
            var kv = SplitTopLevel(map);
            return kv.Count == 2 && For(kv[0]) is { } k && For(kv[1]) is { } v ? new MapEncoder(k, v) : null;
        }
        if (Unwrap(type, "FixedString") is { } fixedLength) return new FixedStringEncoder(int.Parse(fixedLength, CultureInfo.InvariantCulture));
        if (Unwrap(type, "Decimal") is { } ps)
        {
            var parts = SplitTopLevel(ps);
            return new DecimalEncoder(int.Parse(parts[0], CultureInfo.InvariantCulture),
                parts.Count > 1 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : 0);
        }
        if (Unwrap(type, "Decimal32") is { } s32) return new DecimalEncoder(9, int.Parse(s32, CultureInfo.InvariantCulture));
        if (Unwrap(type, "Decimal64") is { } s64) return new DecimalEncoder(18, int.Parse(s64, CultureInfo.InvariantCulture));
        if (Unwrap(type, "Decimal128") is { } s128) return new DecimalEncoder(38, int.Parse(s128, CultureInfo.InvariantCulture));
        if (Unwrap(type, "DateTime") is { } zone) return new DateTimeEncoder(Zone(zone));
        if (Unwrap(type, "DateTime64") is { } p64)
        {
            var parts = SplitTopLevel(p64);
            return new DateTime64Encoder(int.Parse(parts[0], CultureInfo.InvariantCulture), parts.Count > 1 ? Zone(parts[1]) : null);
        }
        if (Unwrap(type, "Enum8") is { } e8) return new EnumEncoder(e8, wide: false);
        if (Unwrap(type, "Enum16") is { } e16) return new EnumEncoder(e16, wide: true);
        return type switch
        {
            "String" => StringEncoder.Instance,
            "UInt8" => IntegerEncoder<byte>.Instance,
            "UInt16" => IntegerEncoder<ushort>.Instance,
            "UInt32" => IntegerEncoder<uint>.Instance,
            "UInt64" => IntegerEncoder<ulong>.Instance,
            "Int8" => IntegerEncoder<sbyte>.Instance,
            "Int16" => IntegerEncoder<short>.Instance,
            "Int32" => IntegerEncoder<int>.Instance,
            "Int64" => IntegerEncoder<long>.Instance,
            "Float32" => new Primitive((b, v) => b.WriteSingle(Convert.ToSingle(v, CultureInfo.InvariantCulture))),
            "Float64" => new Primitive((b, v) => b.WriteDouble(Convert.ToDouble(v, CultureInfo.InvariantCulture))),
            "Bool" or "Boolean" => new Primitive((b, v) => b.WriteByte(Convert.ToBoolean(v, CultureInfo.InvariantCulture) ? (byte)1 : (byte)0)),
            "Date" => new DateEncoder(wide: false),
            "Date32" => new DateEncoder(wide: true),
            "UUID" => UuidEncoder.Instance,
            _ => null,
        };
    }

    /// <summary>"Name(inner)" → "inner"; anything else → null. "DateTime" alone → "" (no time zone).</summary>
    static string? Unwrap(string type, string name)
    {
        if (type == name) return name is "DateTime" ? "" : null;
        return type.Length > name.Length + 2 && type.StartsWith(name + "(", StringComparison.Ordinal) && type[^1] == ')'
            ? type[(name.Length + 1)..^1].Trim()
            : null;
    }

    /// <summary>Splits "a, b(c, d), 'e,f'" at its top-level commas.</summary>
    static List<string> SplitTopLevel(string text)
    {
        var parts = new List<string>();
        int depth = 0, start = 0;
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && quoted) { i++; continue; }
            if (c == '\'') quoted = !quoted;
            else if (!quoted && c == '(') depth++;
            else if (!quoted && c == ')') depth--;
            else if (!quoted && depth == 0 && c == ',')
            {
                parts.Add(text[start..i].Trim());
                start = i + 1;
            }
        }
        parts.Add(text[start..].Trim());
        return parts;
    }

    static DateTimeZone? Zone(string quoted)
    {
        var name = quoted.Trim().Trim('\'');
        if (name.Length == 0) return null;
        return DateTimeZoneProviders.Tzdb.GetZoneOrNull(name)
            ?? throw new ArgumentException($"time zone '{name}' is not in this machine's time zone database");
    }

    static Exception Mismatch(object? value, string type, Exception? inner = null) =>
        new ColumnValueException($"{(value is null ? "null" : $"a {value.GetType().Name} value")} does not convert to {type}", inner);

    sealed class Primitive(Action<EncodedBatch, object> write) : ColumnEncoder
    {
        protected override void WriteValue(EncodedBatch batch, object value) => write(batch, value);
    }

    /// <summary>An integer column: little-endian from its own type without boxing; any other value as Convert.ToXxx reads it.</summary>
    sealed class IntegerEncoder<T> : ColumnEncoder, IValueEncoder<T> where T : struct, IBinaryInteger<T>
    {
        public static readonly IntegerEncoder<T> Instance = new();

        public void Write(EncodedBatch batch, T value)
        {
            Span<byte> b = stackalloc byte[16];
            batch.Write(b[..value.WriteLittleEndian(b)]);
        }

        protected override void WriteValue(EncodedBatch batch, object value) =>
            Write(batch, (T)Convert.ChangeType(value, typeof(T), CultureInfo.InvariantCulture));
    }

    sealed class StringEncoder : ColumnEncoder, IValueEncoder<string>, IValueEncoder<Utf8Json>
    {
        public static readonly StringEncoder Instance = new();

        public void Write(EncodedBatch batch, string value)
        {
            if (value is null) throw new ColumnValueException("null in a column that is not Nullable");
            batch.WriteString(value);
        }

        /// <summary>A payload as the parser wrote it: its UTF-8 bytes are what a String column holds.</summary>
        public void Write(EncodedBatch batch, Utf8Json value)
        {
            if (value is null) throw new ColumnValueException("null in a column that is not Nullable");
            var bytes = value.AsSpan();
            batch.WriteVarUInt((ulong)bytes.Length);
            batch.Write(bytes);
        }

        protected override void WriteValue(EncodedBatch batch, object value)
        {
            switch (value)
            {
                case string s: batch.WriteString(s); break;
                case byte[] bytes: batch.WriteVarUInt((ulong)bytes.Length); batch.Write(bytes); break;
                case Utf8Json json: Write(batch, json); break;
                // Numbers, dates, GUIDs, enums: their invariant text, as ClickHouse would show them.
                case IFormattable f: batch.WriteString(f.ToString(null, CultureInfo.InvariantCulture)); break;
                default: batch.WriteString(value.ToString() ?? ""); break;
            }
        }
    }

    sealed class FixedStringEncoder(int length) : ColumnEncoder, IValueEncoder<string>
    {
        public void Write(EncodedBatch batch, string value) => WriteValue(batch, value ?? throw new ColumnValueException("null in a column that is not Nullable"));

        protected override void WriteValue(EncodedBatch batch, object value)
        {
            Span<byte> bytes = length <= 256 ? stackalloc byte[length] : new byte[length];
            bytes.Clear();
            switch (value)
            {
                case string s:
                    var count = System.Text.Encoding.UTF8.GetByteCount(s);
                    if (count > length)
                        throw new ColumnValueException($"a text of {count} UTF-8 bytes is longer than FixedString({length}) allows");
                    System.Text.Encoding.UTF8.GetBytes(s, bytes);
                    break;
                case byte[] b when b.Length == length: b.CopyTo(bytes); break;
                default: throw Mismatch(value, $"FixedString({length})");
            }
            batch.Write(bytes);
        }
    }

    internal sealed class NullableEncoder(ColumnEncoder inner) : ColumnEncoder
    {
        /// <summary>The encoder of the values that are not null.</summary>
        public ColumnEncoder Inner => inner;

        protected override bool WriteNull(EncodedBatch batch)
        {
            batch.WriteByte(1);
            return true;
        }

        protected override void WriteValue(EncodedBatch batch, object value)
        {
            batch.WriteByte(0);
            inner.Write(batch, value);
        }
    }

    abstract class CollectionEncoder : ColumnEncoder
    {
        // As ClickHouse.Driver wrote it: null is the empty collection.
        protected override bool WriteNull(EncodedBatch batch)
        {
            batch.WriteVarUInt(0);
            return true;
        }
    }

    sealed class ArrayEncoder(ColumnEncoder element) : CollectionEncoder
    {
        protected override void WriteValue(EncodedBatch batch, object value)
        {
            if (value is string or not IEnumerable) throw Mismatch(value, "Array");
            var items = value as ICollection ?? ((IEnumerable)value).Cast<object?>().ToList();
            batch.WriteVarUInt((ulong)items.Count);
            foreach (var item in items) element.Write(batch, item);
        }
    }

    sealed class MapEncoder(ColumnEncoder key, ColumnEncoder value) : CollectionEncoder
    {
        protected override void WriteValue(EncodedBatch batch, object map)
        {
            if (map is not IDictionary dictionary) throw Mismatch(map, "Map");
            batch.WriteVarUInt((ulong)dictionary.Count);
            foreach (DictionaryEntry entry in dictionary)
            {
                key.Write(batch, entry.Key);
                value.Write(batch, entry.Value);
            }
        }
    }

    sealed class DecimalEncoder(int precision, int scale) : ColumnEncoder, IValueEncoder<decimal>
    {
        static readonly decimal[] s_pow10 = Enumerable.Range(0, 19).Select(i => (decimal)Math.Pow(10, i)).ToArray();
        readonly int _bytes = precision > 38
            ? throw new ArgumentException($"Decimal({precision}, {scale}) is wider than this writer's 38 digits")
            : precision <= 9 ? 4 : precision <= 18 ? 8 : 16;

        protected override void WriteValue(EncodedBatch batch, object value)
        {
            decimal d;
            try { d = value is decimal m ? m : Convert.ToDecimal(value, CultureInfo.InvariantCulture); }
            catch (Exception ex) when (ex is FormatException or InvalidCastException or OverflowException)
            {
                throw Mismatch(value, $"Decimal({precision}, {scale})");
            }
            Write(batch, d);
        }

        public void Write(EncodedBatch batch, decimal d)
        {
            // The driver truncated extra fraction digits (it scaled the mantissa by integer division); so does this.
            try
            {
                switch (_bytes)
                {
                    case 4: batch.WriteInt32(checked((int)decimal.Truncate(d * s_pow10[scale]))); return;
                    case 8: batch.WriteInt64(checked((long)decimal.Truncate(d * s_pow10[scale]))); return;
                }
            }
            catch (OverflowException) { throw new ColumnValueException($"a value with {decimal.Truncate(Math.Abs(d)).ToString(CultureInfo.InvariantCulture).Length} integer digits does not fit Decimal({precision}, {scale})"); }
            Span<byte> b = stackalloc byte[16];
            var mantissa = Exact(d, scale);
            if (!mantissa.TryWriteBytes(b, out var written, isUnsigned: false, isBigEndian: false))
                throw new ColumnValueException($"the value does not fit Decimal({precision}, {scale})");
            if (mantissa.Sign < 0) b[written..].Fill(0xFF); else b[written..].Clear();
            batch.Write(b);
        }

        /// <summary>d × 10^scale truncated toward zero, exactly, from decimal's own 96-bit mantissa and exponent.</summary>
        static BigInteger Exact(decimal d, int scale)
        {
            Span<int> bits = stackalloc int[4];
            decimal.GetBits(d, bits);
            var mantissa = (new BigInteger((uint)bits[2]) << 64) | (new BigInteger((uint)bits[1]) << 32) | (uint)bits[0];
            if (bits[3] < 0) mantissa = -mantissa;
            var exponent = (bits[3] >> 16) & 0xFF;
            return scale >= exponent
                ? mantissa * BigInteger.Pow(10, scale - exponent)
                : BigInteger.Divide(mantissa, BigInteger.Pow(10, exponent - scale));
        }
    }

    /// <summary>The instant a DateTime-like value names, as ClickHouse.Driver read it.</summary>
    static Instant InstantOf(object value, DateTimeZone? zone, string type)
    {
        switch (value)
        {
            case DateTimeOffset dto: return Instant.FromDateTimeOffset(dto);
            case DateTime dt: return InstantOf(dt, zone);
            case DateOnly d: return Instant.FromUtc(d.Year, d.Month, d.Day, 0, 0);
            case string s when DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed):
                // Text with an offset names an instant; text without one is a wall clock, as above.
                return HasOffset(s) ? Instant.FromDateTimeOffset(parsed) : InstantOf(parsed.DateTime, zone, type);
            default: throw Mismatch(value, type);
        }
    }

    static Instant InstantOf(DateTime dt, DateTimeZone? zone) => dt.Kind switch
    {
        DateTimeKind.Utc => Instant.FromDateTimeUtc(dt),
        DateTimeKind.Local => Instant.FromDateTimeUtc(dt.ToUniversalTime()),
        // No kind: the wall clock of the column's time zone (UTC for a column without one).
        _ => zone is null
            ? Instant.FromDateTimeUtc(DateTime.SpecifyKind(dt, DateTimeKind.Utc))
            : zone.AtLeniently(LocalDateTime.FromDateTime(dt)).ToInstant(),
    };

    static bool HasOffset(string s) =>
        s.EndsWith('Z') || s.EndsWith('z') || (s.Length > 6 && (s[^6] is '+' or '-') && s[^3] == ':');

    sealed class DateTimeEncoder(DateTimeZone? zone) : ColumnEncoder, IValueEncoder<DateTime>
    {
        protected override void WriteValue(EncodedBatch batch, object value) => Write(batch, InstantOf(value, zone, "DateTime"));

        public void Write(EncodedBatch batch, DateTime value) => Write(batch, InstantOf(value, zone));

        static void Write(EncodedBatch batch, Instant instant)
        {
            var seconds = instant.ToUnixTimeSeconds();
            if (seconds is < 0 or > uint.MaxValue)
                throw new ColumnValueException("the time is outside DateTime's range (1970-01-01 to 2106-02-07)");
            batch.WriteUInt32((uint)seconds);
        }
    }

    sealed class DateTime64Encoder(int precision, DateTimeZone? zone) : ColumnEncoder, IValueEncoder<DateTime>
    {
        readonly long _factor = (long)Math.Pow(10, Math.Abs(precision - 7));

        protected override void WriteValue(EncodedBatch batch, object value) => Write(batch, InstantOf(value, zone, $"DateTime64({precision})"));

        public void Write(EncodedBatch batch, DateTime value) => Write(batch, InstantOf(value, zone));

        void Write(EncodedBatch batch, Instant instant)
        {
            var ticks = instant.ToUnixTimeTicks();
            batch.WriteInt64(precision >= 7 ? checked(ticks * _factor) : ticks / _factor);
        }
    }

    sealed class DateEncoder(bool wide) : ColumnEncoder, IValueEncoder<DateTime>
    {
        protected override void WriteValue(EncodedBatch batch, object value)
        {
            // Whole days since 1970-01-01 of the instant the value names (UTC), as the driver computed them.
            var days = value switch
            {
                DateOnly d => d.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber,
                string s when DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed) =>
                    parsed.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber,
                _ => DaysOf(InstantOf(value, null, wide ? "Date32" : "Date")),
            };
            Write(batch, days);
        }

        public void Write(EncodedBatch batch, DateTime value) => Write(batch, DaysOf(InstantOf(value, null)));

        static int DaysOf(Instant instant) => (int)Math.Floor(instant.ToUnixTimeSeconds() / 86400.0);

        void Write(EncodedBatch batch, int days)
        {
            if (wide)
            {
                if (days is < -25567 or > 120529) throw new ColumnValueException("the date is outside Date32's range (1900-01-01 to 2299-12-31)");
                batch.WriteInt32(days);
            }
            else
            {
                if (days is < 0 or > 65535) throw new ColumnValueException("the date is outside Date's range (1970-01-01 to 2149-06-06)");
                batch.WriteUInt16((ushort)days);
            }
        }
    }

    sealed class UuidEncoder : ColumnEncoder, IValueEncoder<Guid>
    {
        public static readonly UuidEncoder Instance = new();

        protected override void WriteValue(EncodedBatch batch, object value) => Write(batch, value switch
        {
            Guid g => g,
            string s when Guid.TryParse(s, out var parsed) => parsed,
            _ => throw Mismatch(value, "UUID"),
        });

        public void Write(EncodedBatch batch, Guid guid)
        {
            // ClickHouse stores a UUID as two little-endian UInt64 halves of its big-endian text order.
            Span<byte> b = stackalloc byte[16];
            guid.TryWriteBytes(b, bigEndian: true, out _);
            b[..8].Reverse();
            b[8..].Reverse();
            batch.Write(b);
        }
    }

    sealed class EnumEncoder : ColumnEncoder
    {
        readonly Dictionary<string, int> _values = new(StringComparer.Ordinal);
        readonly bool _wide;

        public EnumEncoder(string definition, bool wide)
        {
            _wide = wide;
            foreach (var member in SplitTopLevel(definition))
            {
                var eq = member.LastIndexOf('=');
                var name = member[..eq].Trim().Trim('\'').Replace("\\'", "'", StringComparison.Ordinal);
                _values[name] = int.Parse(member[(eq + 1)..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        protected override void WriteValue(EncodedBatch batch, object value)
        {
            int number;
            if (value is string s)
            {
                if (!_values.TryGetValue(s, out number))
                    throw new ColumnValueException($"the text is not one of the enum's values ({string.Join(", ", _values.Keys)})");
            }
            else number = Convert.ToInt32(value, CultureInfo.InvariantCulture);
            if (_wide) batch.WriteUInt16(unchecked((ushort)checked((short)number)));
            else batch.WriteByte(unchecked((byte)checked((sbyte)number)));
        }
    }
}

/// <summary>The typed path of an encoder: a value of <typeparamref name="T"/> written without boxing (typed rows).</summary>
internal interface IValueEncoder<in T>
{
    void Write(EncodedBatch batch, T value);
}

/// <summary>A value that the column's type cannot hold; the writer adds the table, column and row.</summary>
internal sealed class ColumnValueException(string message, Exception? inner = null) : Exception(message, inner);
