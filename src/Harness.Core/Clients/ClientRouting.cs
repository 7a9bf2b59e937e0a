using Harness.Core.Control;

namespace Harness.Core.Clients;

/// <summary>
/// Where one client of a database with a primary sends its operations, as an application that caches its primary's
/// address would. Writes go to the primary as this client last learned it: asked again every <see cref="PrimaryRefresh"/>
/// and after <see cref="Forget"/> (an error), so after a promotion clients switch within that time or at their next
/// error, and without fencing some keep writing to the old primary for a while (split brain); with
/// <c>ownNodeWrites</c> (multi-primary, Galera) to the client's own node. Reads go where --read-from says:
/// <c>primary</c> the write node, <c>replica</c> a sticky replica (the client's own node when it is a replica, else
/// one chosen by node number), <c>any</c> a random node per read (seeded by the node number).
/// </summary>
public sealed class ClientRouting
{
    /// <summary>How long a client keeps using the primary it knows before asking again.</summary>
    public static readonly TimeSpan PrimaryRefresh = TimeSpan.FromSeconds(1);

    private readonly IReadOnlyList<Node> _nodes;
    private readonly Func<Node?> _primary;
    private readonly string _readFrom;
    private readonly bool _ownNodeWrites;
    private readonly Random _random;
    private readonly Func<long> _now;
    private Node? _known;
    private long _knownAt;

    /// <param name="nodes">the cluster's nodes</param>
    /// <param name="node">the node the client was opened for</param>
    /// <param name="primary">the database's current primary (null while it has none)</param>
    /// <param name="readFrom">primary, replica or any</param>
    /// <param name="ownNodeWrites">every node takes writes: each client writes to its own node</param>
    /// <param name="now">the clock, in milliseconds (Environment.TickCount64 unless a test gives one)</param>
    public ClientRouting(IReadOnlyList<Node> nodes, Node node, Func<Node?> primary, string readFrom, bool ownNodeWrites = false, Func<long>? now = null)
    {
        _nodes = nodes;
        _primary = primary;
        _readFrom = readFrom;
        _ownNodeWrites = ownNodeWrites;
        _now = now ?? (() => Environment.TickCount64);
        _random = new Random(node.Number);
        Node = node;
        var first = primary();
        var replicas = nodes.Where(n => n != first).ToList();
        Replica = replicas.Count == 0 || replicas.Contains(node) ? node : replicas[Math.Abs(node.Number) % replicas.Count];
    }

    /// <summary>The node the client was opened for.</summary>
    public Node Node { get; }

    /// <summary>This client's sticky replica (its own node when there is none).</summary>
    public Node Replica { get; }

    /// <summary>Where writes go now.</summary>
    public Node WriteNode
    {
        get
        {
            if (_ownNodeWrites) return Node;
            var now = _now();
            if (_known is null || now - _knownAt > (long)PrimaryRefresh.TotalMilliseconds)
            {
                _known = _primary() ?? Node;
                _knownAt = now;
            }
            return _known;
        }
    }

    /// <summary>Where the next read goes.</summary>
    public Node ReadNode => _readFrom switch
    {
        "replica" => Replica,
        "any" => _nodes.Count == 0 ? Node : _nodes[_random.Next(_nodes.Count)],
        _ => WriteNode,
    };

    /// <summary>Forgets the primary this client knows (after an error): the next write asks again.</summary>
    public void Forget() => _known = null;
}
