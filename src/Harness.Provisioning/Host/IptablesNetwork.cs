using System.Globalization;
using System.Text;
using Harness.Core.Control;

namespace Harness.Provisioning;

/// <summary>
/// Network faults with iptables inside each node's network namespace (a namespace of the netns provisioner, a
/// container's), written by <c>iptables-restore --noflush</c> through <paramref name="restore"/>. Every node has a private chain
/// (<see cref="Chain"/>) jumped to from INPUT; each change rewrites a node's whole chain in one
/// <c>iptables-restore --noflush</c> transaction, so faults are applied and healed atomically per node.
/// Faults accumulate until <see cref="HealAsync"/>; the host (clients) always reaches every node.
/// </summary>
public sealed class IptablesNetwork(
    Func<IReadOnlyList<Node>> clusterNodes,
    Func<Node, string, CancellationToken, Task<(IReadOnlyList<string> Argv, CommandResult Result)>> restore) : INetwork, IDisposable
{
    public const string Chain = "HARNESS";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, SortedSet<string>> _rules = [];
    private readonly HashSet<string> _hooked = [];

    public async Task PartitionAsync(IReadOnlyList<IReadOnlyList<Node>> components, CancellationToken ct)
    {
        var links = new List<(Node, Node)>();
        for (var i = 0; i < components.Count; i++)
            for (var j = i + 1; j < components.Count; j++)
                foreach (var a in components[i])
                    foreach (var b in components[j])
                        links.Add((a, b));
        await DropLinksAsync(links, ct);
    }

    public async Task DropLinksAsync(IReadOnlyList<(Node A, Node B)> links, CancellationToken ct)
    {
        var add = new Dictionary<Node, List<string>>();
        foreach (var (a, b) in links)
        {
            if (a == b) continue;
            Add(add, a, $"-A {Chain} -s {b.Address}/32 -j DROP");
            Add(add, b, $"-A {Chain} -s {a.Address}/32 -j DROP");
        }
        await ApplyAsync(add, ct);
    }

    public async Task LossAsync(IReadOnlyList<Node> nodes, double probability, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(probability, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(probability, 1.0);
        var p = probability.ToString("0.####", CultureInfo.InvariantCulture);
        var add = new Dictionary<Node, List<string>>();
        foreach (var n in nodes)
            foreach (var other in clusterNodes().Where(o => o != n))
                Add(add, n, $"-A {Chain} -s {other.Address}/32 -m statistic --mode random --probability {p} -j DROP");
        await ApplyAsync(add, ct);
    }

    public async Task HealAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var dirty = clusterNodes().Where(n => _rules.TryGetValue(n.Name, out var r) && r.Count > 0).ToList();
            foreach (var n in dirty) _rules[n.Name].Clear();
            await Task.WhenAll(dirty.Select(n => WriteChainAsync(n, ct)));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The rules in force on a node (for tests and reports).</summary>
    public IReadOnlyList<string> RulesOf(Node node)
    {
        lock (_rules) return _rules.TryGetValue(node.Name, out var r) ? [.. r] : [];
    }

    public void Dispose() => _gate.Dispose();

    private static void Add(Dictionary<Node, List<string>> add, Node node, string rule)
    {
        if (!add.TryGetValue(node, out var list)) add[node] = list = [];
        list.Add(rule);
    }

    private async Task ApplyAsync(Dictionary<Node, List<string>> add, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var changed = new List<Node>();
            lock (_rules)
            {
                foreach (var (node, rules) in add)
                {
                    if (!_rules.TryGetValue(node.Name, out var set)) _rules[node.Name] = set = new SortedSet<string>(StringComparer.Ordinal);
                    var before = set.Count;
                    set.UnionWith(rules);
                    if (set.Count != before) changed.Add(node);
                }
            }
            await Task.WhenAll(changed.Select(n => WriteChainAsync(n, ct)));
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task WriteChainAsync(Node node, CancellationToken ct)
    {
        var script = new StringBuilder();
        script.Append("*filter\n");
        script.Append(CultureInfo.InvariantCulture, $":{Chain} - [0:0]\n");
        script.Append(CultureInfo.InvariantCulture, $"-F {Chain}\n");
        bool hook;
        lock (_rules)
        {
            foreach (var r in _rules[node.Name]) script.Append(r).Append('\n');
            hook = _hooked.Add(node.Name);
        }
        if (hook) script.Append(CultureInfo.InvariantCulture, $"-I INPUT 1 -j {Chain}\n");
        script.Append("COMMIT\n");
        var (argv, result) = await restore(node, script.ToString(), ct);
        if (!result.Succeeded)
        {
            lock (_rules) if (hook) _hooked.Remove(node.Name);
            result.EnsureSuccess(argv);
        }
    }
}
