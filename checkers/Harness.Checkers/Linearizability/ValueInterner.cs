using Harness.Core.Histories;

namespace Harness.Checkers.Linearizability;

/// <summary>Maps the values of one partition to small integers (nil is 0), so models compare ints, not data.</summary>
public sealed class ValueInterner
{
    private readonly Dictionary<Datum, int> _ids = new() { [Datum.Nil] = 0 };
    private readonly List<Datum> _values = [Datum.Nil];

    public const int Nil = 0;

    public int Count => _values.Count;

    public int Id(Datum value)
    {
        if (value.IsNil) return Nil;
        if (_ids.TryGetValue(value, out var id)) return id;
        id = _values.Count;
        _ids[value] = id;
        _values.Add(value);
        return id;
    }

    public Datum Value(int id) => _values[id];

    public string Describe(int id) => _values[id].ToString();
}
