using Harness.Core.Histories;

namespace Harness.Checkers.Cycles;

/// <summary>Interns keys (integers or names) as dense ids, keeping the original datum for messages.</summary>
internal sealed class KeyIds
{
    private readonly Dictionary<long, int> _ints = [];
    private readonly Dictionary<Datum, int> _others = [];
    private readonly List<Datum> _names = [];
    private int[] _small = new int[64]; // id + 1 for small non-negative integer keys, 0 when unseen

    public int Count => _names.Count;

    public int Id(Datum key)
    {
        if (key.TryGetLong(out var l))
        {
            if (l is >= 0 and < 1 << 20)
            {
                if (l < _small.Length && _small[l] > 0) return _small[l] - 1;
                if (l >= _small.Length) Array.Resize(ref _small, (int)Math.Max(l + 1, _small.Length * 2L));
                _small[l] = _names.Count + 1;
            }
            else
            {
                if (_ints.TryGetValue(l, out var id)) return id;
                _ints[l] = _names.Count;
            }
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
