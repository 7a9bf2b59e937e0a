namespace Harness.Checkers.Graphs;

/// <summary>
/// A directed graph over dense node ids 0..NodeCount-1, read through out-edge cursors so that graphs can keep
/// their edges in flat arrays (or compute them) without materialising edge objects.
/// </summary>
internal interface IGraph
{
    int NodeCount { get; }

    /// <summary>Number of out-edges of <paramref name="node"/>.</summary>
    int Degree(int node);

    /// <summary>The target of the <paramref name="i"/>-th out-edge of <paramref name="node"/>, or -1 to skip it.</summary>
    int Target(int node, int i);
}
