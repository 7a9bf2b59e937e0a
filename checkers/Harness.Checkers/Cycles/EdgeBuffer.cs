namespace Harness.Checkers.Cycles;

/// <summary>Growable flat arrays of data edges (source, target, kind, key id); no per-edge objects.</summary>
internal sealed class EdgeBuffer
{
    private int[] _src = new int[1024];
    private int[] _dst = new int[1024];
    private byte[] _kind = new byte[1024];
    private int[] _key = new int[1024];

    public int Count { get; private set; }

    public void Add(int src, int dst, EdgeKinds kind, int key)
    {
        if (src == dst || src < 0 || dst < 0) return;
        if (Count == _src.Length)
        {
            var size = Count * 2;
            Array.Resize(ref _src, size);
            Array.Resize(ref _dst, size);
            Array.Resize(ref _kind, size);
            Array.Resize(ref _key, size);
        }
        _src[Count] = src;
        _dst[Count] = dst;
        _kind[Count] = (byte)kind;
        _key[Count] = key;
        Count++;
    }

    /// <summary>Compressed sparse rows over <paramref name="nodes"/> nodes (counting sort by source).</summary>
    public (int[] Start, int[] Dst, byte[] Kind, int[] Key) ToCsr(int nodes)
    {
        var start = new int[nodes + 1];
        for (var i = 0; i < Count; i++) start[_src[i] + 1]++;
        for (var i = 0; i < nodes; i++) start[i + 1] += start[i];
        var fill = new int[nodes];
        Array.Copy(start, fill, nodes);
        var dst = new int[Count];
        var kind = new byte[Count];
        var key = new int[Count];
        for (var i = 0; i < Count; i++)
        {
            var at = fill[_src[i]]++;
            dst[at] = _dst[i];
            kind[at] = _kind[i];
            key[at] = _key[i];
        }
        return (start, dst, kind, key);
    }
}
