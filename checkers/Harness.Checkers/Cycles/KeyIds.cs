using Harness.Core.Histories;

namespace Harness.Checkers.Cycles;

/// <summary>Interns keys (integers or names) as dense ids, keeping the original datum for messages.</summary>
internal sealed class KeyIds
{
    private readonly Dictionary<long, int> _ints = [];
    private readonly Dictionary<Datum, int> _others = [];
    private readonly List<Datum> _names = [];

    public int Count => _names.Count;

    public int Id(Datum key)
    {
        if (key.TryGetLong(out var l))
        {
            if (_ints.TryGetValue(l, out var id)) return id;
            _ints[l] = _names.Count;
        }
        else
        {
            if (_others.TryGetValue(key, out var id)) return id;
            _others[key] = _names.Count;
        }
        _names.Add(key);
        return _names.Count - 1;
    }

    public Datum Name(int id) => _names[id];
}
