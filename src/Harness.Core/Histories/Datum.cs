using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Harness.Core.Histories;

/// <summary>
/// An immutable, structurally compared data value: what an operation's value is, on disk (JSON) and after
/// importing Jepsen EDN. A closed union: nil, booleans, integers, floats, strings, keywords, symbols,
/// sequences (vectors and lists), sets, maps and tagged literals. All-integer sequences are stored compactly
/// (<see cref="Ints"/>); use <see cref="IsSeq"/>, <see cref="Count"/> and the indexer to read any sequence.
/// </summary>
public abstract class Datum : IEquatable<Datum>
{
    private Datum() { }

    public static readonly Datum Nil = new NilDatum();
    public static readonly Datum True = new BoolDatum(true);
    public static readonly Datum False = new BoolDatum(false);

    private static readonly IntDatum[] SmallInts = Enumerable.Range(-128, 1152).Select(i => new IntDatum(i)).ToArray();

    public static Datum Of(long value) => value is >= -128 and < 1024 ? SmallInts[value + 128] : new IntDatum(value);
    public static Datum Of(bool value) => value ? True : False;
    public static Datum Of(double value) => new FloatDatum(value);
    public static Datum Of(string? value) => value is null ? Nil : new StrDatum(value);
    public static Datum Kw(string name) => new KeywordDatum(name);
    public static Datum Sym(string name) => new SymbolDatum(name);
    public static Datum Vec(params Datum[] items) => SeqOf(items, list: false);
    public static Datum Vec(IEnumerable<Datum> items) => SeqOf(items.ToArray(), list: false);
    public static Datum List(IEnumerable<Datum> items) => SeqOf(items.ToArray(), list: true);
    public static Datum Ints(params long[] values) => new IntsDatum(values);
    public static Datum Set(IEnumerable<Datum> items) => new SetDatum([.. items.Distinct()]);
    public static Datum Map(IEnumerable<KeyValuePair<Datum, Datum>> entries) => new MapDatum([.. entries]);
    public static Datum Tagged(string tag, Datum value) => new TaggedDatum(tag, value);

    private static Datum SeqOf(Datum[] items, bool list)
    {
        if (!list && items.Length > 0 && Array.TrueForAll(items, d => d is IntDatum))
            return new IntsDatum(Array.ConvertAll(items, d => ((IntDatum)d).Value));
        return new SeqDatum(ImmutableArray.Create(items), list);
    }

    public abstract DatumKind Kind { get; }
    public bool IsNil => Kind == DatumKind.Nil;
    public bool IsInt => Kind == DatumKind.Int;
    public bool IsSeq => Kind is DatumKind.Vector or DatumKind.List;
    /// <summary>True for strings, keywords and symbols: things with a name.</summary>
    public bool IsName => Kind is DatumKind.String or DatumKind.Keyword or DatumKind.Symbol;

    /// <summary>Elements of a sequence or set, entries of a map; 0 otherwise.</summary>
    public virtual int Count => 0;

    /// <summary>The i-th element of a sequence or set.</summary>
    public virtual Datum this[int index] => throw new InvalidOperationException($"{Kind} is not a sequence");

    /// <summary>Elements of a sequence or set (empty for scalars).</summary>
    public virtual IEnumerable<Datum> Items => [];

    public virtual long AsLong() => throw new InvalidOperationException($"expected an integer, got {this}");
    public virtual double AsDouble() => AsLong();
    public virtual bool AsBool() => throw new InvalidOperationException($"expected a boolean, got {this}");

    /// <summary>The text of a string, keyword or symbol.</summary>
    public virtual string AsName() => throw new InvalidOperationException($"expected a string or keyword, got {this}");

    public bool TryGetLong(out long value)
    {
        if (this is IntDatum i) { value = i.Value; return true; }
        value = 0;
        return false;
    }

    /// <summary>A sequence whose elements are all integers, without copying when stored compactly.</summary>
    public bool TryGetLongs(out ReadOnlySpan<long> values)
    {
        switch (this)
        {
            case IntsDatum ints: values = ints.Values; return true;
            case SeqDatum { Elements.Length: 0 }: values = []; return true;
            default: values = default; return false;
        }
    }

    /// <summary>Map entries (empty for non-maps).</summary>
    public virtual ImmutableArray<KeyValuePair<Datum, Datum>> Entries => [];

    /// <summary>Looks up a map entry whose key is a keyword, string or symbol with this name, or an equal key.</summary>
    public Datum? Get(string name)
    {
        foreach (var (k, v) in Entries)
            if (k.IsName && k.AsName() == name) return v;
        return null;
    }

    public Datum? Get(Datum key)
    {
        foreach (var (k, v) in Entries)
            if (k.Equals(key)) return v;
        return null;
    }

    public abstract bool Equals(Datum? other);
    public override bool Equals(object? obj) => obj is Datum d && Equals(d);
    public abstract override int GetHashCode();
    public static bool operator ==(Datum? a, Datum? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(Datum? a, Datum? b) => !(a == b);

    /// <summary>EDN-like text, for messages.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        Write(sb);
        return sb.ToString();
    }

    internal abstract void Write(StringBuilder sb);

    private sealed class NilDatum : Datum
    {
        public override DatumKind Kind => DatumKind.Nil;
        public override bool Equals(Datum? other) => other is NilDatum;
        public override int GetHashCode() => 0;
        internal override void Write(StringBuilder sb) => sb.Append("nil");
    }

    private sealed class BoolDatum(bool value) : Datum
    {
        public override DatumKind Kind => DatumKind.Bool;
        public override bool AsBool() => value;
        public override bool Equals(Datum? other) => other is BoolDatum b && b.AsBool() == value;
        public override int GetHashCode() => value ? 1 : 2;
        internal override void Write(StringBuilder sb) => sb.Append(value ? "true" : "false");
    }

    private sealed class IntDatum(long value) : Datum
    {
        public long Value { get; } = value;
        public override DatumKind Kind => DatumKind.Int;
        public override long AsLong() => Value;
        public override bool Equals(Datum? other) => other is IntDatum i && i.Value == Value;
        public override int GetHashCode() => Value.GetHashCode();
        internal override void Write(StringBuilder sb) => sb.Append(Value.ToString(CultureInfo.InvariantCulture));
    }

    private sealed class FloatDatum(double value) : Datum
    {
        public override DatumKind Kind => DatumKind.Float;
        public override double AsDouble() => value;
        public override long AsLong() => (long)value;
        public override bool Equals(Datum? other) => other is FloatDatum f && f.AsDouble().Equals(value);
        public override int GetHashCode() => value.GetHashCode();
        internal override void Write(StringBuilder sb) => sb.Append(value.ToString("R", CultureInfo.InvariantCulture));
    }

    private sealed class StrDatum(string value) : Datum
    {
        public override DatumKind Kind => DatumKind.String;
        public override string AsName() => value;
        public override bool Equals(Datum? other) => other is StrDatum s && s.AsName() == value;
        public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(value);
        internal override void Write(StringBuilder sb) =>
            sb.Append('"').Append(value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
    }

    private sealed class KeywordDatum(string name) : Datum
    {
        public override DatumKind Kind => DatumKind.Keyword;
        public override string AsName() => name;
        public override bool Equals(Datum? other) => other is KeywordDatum k && k.AsName() == name;
        public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(name) ^ 0x5bd1e995;
        internal override void Write(StringBuilder sb) => sb.Append(':').Append(name);
    }

    private sealed class SymbolDatum(string name) : Datum
    {
        public override DatumKind Kind => DatumKind.Symbol;
        public override string AsName() => name;
        public override bool Equals(Datum? other) => other is SymbolDatum s && s.AsName() == name;
        public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(name) ^ 0x1b873593;
        internal override void Write(StringBuilder sb) => sb.Append(name);
    }

    private sealed class IntsDatum(long[] values) : Datum
    {
        public long[] Values { get; } = values;
        public override DatumKind Kind => DatumKind.Vector;
        public override int Count => Values.Length;
        public override Datum this[int index] => Of(Values[index]);
        public override IEnumerable<Datum> Items => Values.Select(Of);

        public override bool Equals(Datum? other) => other switch
        {
            IntsDatum o => Values.AsSpan().SequenceEqual(o.Values),
            SeqDatum s => SeqEquals(this, s),
            _ => false,
        };

        public override int GetHashCode()
        {
            var h = new HashCode();
            foreach (var v in Values) h.Add(v);
            return h.ToHashCode();
        }

        internal override void Write(StringBuilder sb)
        {
            sb.Append('[');
            for (var i = 0; i < Values.Length; i++)
            {
                if (i > 0) sb.Append(' ');
                sb.Append(Values[i].ToString(CultureInfo.InvariantCulture));
            }
            sb.Append(']');
        }
    }

    private static bool SeqEquals(Datum a, Datum b)
    {
        if (a.Count != b.Count) return false;
        for (var i = 0; i < a.Count; i++)
            if (!a[i].Equals(b[i])) return false;
        return true;
    }

    private sealed class SeqDatum(ImmutableArray<Datum> items, bool list) : Datum
    {
        public ImmutableArray<Datum> Elements { get; } = items;
        public bool IsList { get; } = list;
        public override DatumKind Kind => IsList ? DatumKind.List : DatumKind.Vector;
        public override int Count => Elements.Length;
        public override Datum this[int index] => Elements[index];
        public override IEnumerable<Datum> Items => Elements;

        public override bool Equals(Datum? other) => other is not null && other.IsSeq && SeqEquals(this, other);

        public override int GetHashCode()
        {
            var h = new HashCode();
            foreach (var d in Elements)
            {
                if (d is IntDatum i) h.Add(i.Value);
                else h.Add(d);
            }
            return h.ToHashCode();
        }

        internal override void Write(StringBuilder sb) => WriteItems(sb, IsList ? "(" : "[", IsList ? ")" : "]", Elements);
    }

    private sealed class SetDatum(ImmutableArray<Datum> items) : Datum
    {
        public ImmutableArray<Datum> Elements { get; } = items;
        public override DatumKind Kind => DatumKind.Set;
        public override int Count => Elements.Length;
        public override Datum this[int index] => Elements[index];
        public override IEnumerable<Datum> Items => Elements;

        public override bool Equals(Datum? other) =>
            other is SetDatum s && s.Elements.Length == Elements.Length && Elements.All(i => s.Elements.Contains(i));

        public override int GetHashCode()
        {
            var h = 0;
            foreach (var d in Elements) h ^= d.GetHashCode();
            return h;
        }

        internal override void Write(StringBuilder sb) => WriteItems(sb, "#{", "}", Elements);
    }

    private sealed class MapDatum(ImmutableArray<KeyValuePair<Datum, Datum>> entries) : Datum
    {
        public override DatumKind Kind => DatumKind.Map;
        public override ImmutableArray<KeyValuePair<Datum, Datum>> Entries { get; } = entries;
        public override int Count => Entries.Length;

        public override bool Equals(Datum? other) =>
            other is MapDatum m && m.Entries.Length == Entries.Length
            && Entries.All(e => m.Get(e.Key) is { } v && v.Equals(e.Value));

        public override int GetHashCode()
        {
            var h = 0;
            foreach (var (k, v) in Entries) h ^= HashCode.Combine(k, v);
            return h;
        }

        internal override void Write(StringBuilder sb)
        {
            sb.Append('{');
            var first = true;
            foreach (var (k, v) in Entries)
            {
                if (!first) sb.Append(", ");
                first = false;
                k.Write(sb);
                sb.Append(' ');
                v.Write(sb);
            }
            sb.Append('}');
        }
    }

    private sealed class TaggedDatum(string tag, Datum value) : Datum
    {
        public string Tag { get; } = tag;
        public Datum Value { get; } = value;
        public override DatumKind Kind => DatumKind.Tagged;
        public override string AsName() => Value.AsName();
        public override bool Equals(Datum? other) => other is TaggedDatum t && t.Tag == Tag && t.Value.Equals(Value);
        public override int GetHashCode() => HashCode.Combine(Tag, Value);

        internal override void Write(StringBuilder sb)
        {
            sb.Append('#').Append(Tag).Append(' ');
            Value.Write(sb);
        }
    }

    private static void WriteItems(StringBuilder sb, string open, string close, ImmutableArray<Datum> items)
    {
        sb.Append(open);
        for (var i = 0; i < items.Length; i++)
        {
            if (i > 0) sb.Append(' ');
            items[i].Write(sb);
        }
        sb.Append(close);
    }

    /// <summary>For a tagged literal: its tag and value.</summary>
    public bool TryGetTagged(out string tag, out Datum value)
    {
        if (this is TaggedDatum t) { tag = t.Tag; value = t.Value; return true; }
        tag = ""; value = Nil;
        return false;
    }
}

/// <summary>The cases of <see cref="Datum"/>.</summary>
public enum DatumKind { Nil, Bool, Int, Float, String, Keyword, Symbol, Vector, List, Set, Map, Tagged }
