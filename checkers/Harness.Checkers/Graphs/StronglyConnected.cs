namespace Harness.Checkers.Graphs;

/// <summary>Strongly connected components (Tarjan's algorithm, iterative: no recursion on deep graphs).</summary>
internal static class StronglyConnected
{
    /// <summary>
    /// Returns the component id of every node and the number of components. Components are numbered in
    /// reverse topological order (Tarjan's order). Linear in nodes + edges.
    /// </summary>
    public static (int[] Component, int Count) Components(IGraph g, CancellationToken ct = default)
    {
        var n = g.NodeCount;
        var index = new int[n];
        var low = new int[n];
        var comp = new int[n];
        Array.Fill(index, -1);
        var stack = new int[n];
        var onStack = new bool[n];
        var sp = 0;
        var callNode = new int[n];
        var callCursor = new int[n];
        var next = 0;
        var components = 0;
        for (var root = 0; root < n; root++)
        {
            if (index[root] >= 0) continue;
            if ((root & 0xFFFF) == 0) ct.ThrowIfCancellationRequested();
            var depth = 0;
            callNode[0] = root;
            callCursor[0] = 0;
            index[root] = low[root] = next++;
            stack[sp++] = root;
            onStack[root] = true;
            while (depth >= 0)
            {
                var u = callNode[depth];
                var degree = g.Degree(u);
                var descended = false;
                while (callCursor[depth] < degree)
                {
                    var v = g.Target(u, callCursor[depth]++);
                    if (v < 0) continue;
                    if (index[v] < 0)
                    {
                        index[v] = low[v] = next++;
                        stack[sp++] = v;
                        onStack[v] = true;
                        depth++;
                        callNode[depth] = v;
                        callCursor[depth] = 0;
                        descended = true;
                        break;
                    }
                    if (onStack[v] && index[v] < low[u]) low[u] = index[v];
                }
                if (descended) continue;
                if (low[u] == index[u])
                {
                    int w;
                    do
                    {
                        w = stack[--sp];
                        onStack[w] = false;
                        comp[w] = components;
                    }
                    while (w != u);
                    components++;
                }
                depth--;
                if (depth >= 0)
                {
                    var parent = callNode[depth];
                    if (low[u] < low[parent]) low[parent] = low[u];
                }
            }
        }
        return (comp, components);
    }
}
