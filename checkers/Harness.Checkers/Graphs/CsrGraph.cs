namespace Harness.Checkers.Graphs;

/// <summary>A plain directed graph in compressed sparse rows.</summary>
internal sealed class CsrGraph(int[] start, int[] dst) : IGraph
{
    public int NodeCount => start.Length - 1;
    public int Degree(int node) => start[node + 1] - start[node];
    public int Target(int node, int i) => dst[start[node] + i];

    /// <summary>Shortest path (by edges) from <paramref name="from"/> back to itself inside one component, as the node sequence starting at from; null if none.</summary>
    public List<int>? ShortestCycle(int from, int[] component)
    {
        var parent = new Dictionary<int, int> { [from] = -1 };
        var queue = new Queue<int>([from]);
        while (queue.Count > 0)
        {
            var u = queue.Dequeue();
            for (var i = 0; i < Degree(u); i++)
            {
                var v = Target(u, i);
                if (component[v] != component[from]) continue;
                if (v == from)
                {
                    var path = new List<int>();
                    for (var x = u; x != -1; x = parent[x]) path.Add(x);
                    path.Reverse();
                    return path;
                }
                if (parent.TryAdd(v, u)) queue.Enqueue(v);
            }
        }
        return null;
    }
}
