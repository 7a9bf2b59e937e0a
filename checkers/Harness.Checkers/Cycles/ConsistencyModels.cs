using System.Collections.Frozen;
using System.Collections.Immutable;
using Harness.Core;

namespace Harness.Checkers.Cycles;

/// <summary>
/// The consistency models the cycle checkers know, with what each forbids, after Elle's
/// elle.consistency-model (direct-proscribed-anomalies expanded through its model hierarchy):
/// <list type="bullet">
/// <item>read-uncommitted (Adya PL-1): G0, duplicate elements, cyclic versions.</item>
/// <item>read-committed (PL-2): adds G1 (G1a aborted read, G1b intermediate read, G1c), incompatible order.</item>
/// <item>repeatable-read (PL-2.99): adds G2-item (item anti-dependency cycles) and lost update.</item>
/// <item>snapshot-isolation: read-committed plus internal consistency, G-single, G-nonadjacent and lost update
/// (generalized SI; G2-item with adjacent rw edges, i.e. write skew, is allowed).</item>
/// <item>serializable (PL-3): everything above (all data-edge cycles).</item>
/// <item>strong-session-*: the base model plus the -process variants of its cycle anomalies (a process never
/// misses its own earlier transactions). strong-*: plus the -realtime variants as well.</item>
/// <item>strict-serializable (PL-SS): serializable plus every -process and -realtime cycle.</item>
/// </list>
/// </summary>
public static class ConsistencyModels
{
    private static readonly string[] Pl1 = ["G0", "duplicate-elements", "cyclic-versions"];
    private static readonly string[] Pl2 = [.. Pl1, "G1", "G1a", "G1b", "G1c", "incompatible-order", "garbage-read"];
    private static readonly string[] Rr = [.. Pl2, "G2-item", "lost-update", "G-single", "G-nonadjacent"];
    private static readonly string[] Si = [.. Pl2, "internal", "G-single", "G-nonadjacent", "lost-update"];
    private static readonly string[] Ser = [.. Rr, .. Si, "G2"];

    private static string[] Process(string[] cycles) => [.. cycles.Select(c => c + "-process")];
    private static string[] Realtime(string[] cycles) => [.. cycles.Select(c => c + "-realtime"), .. Process(cycles)];

    private static readonly FrozenDictionary<string, ConsistencyModel> Models = new ConsistencyModel[]
    {
        Make("read-uncommitted", Pl1),
        Make("read-committed", Pl2),
        Make("repeatable-read", Rr),
        Make("snapshot-isolation", Si),
        Make("serializable", Ser),
        Make("strong-session-read-uncommitted", [.. Pl1, .. Process(["G0"])]),
        Make("strong-session-read-committed", [.. Pl2, .. Process(["G0", "G1c"])]),
        Make("strong-session-snapshot-isolation", [.. Si, .. Process(["G0", "G1c", "G-single", "G-nonadjacent"])]),
        Make("strong-session-serializable", [.. Ser, .. Process(["G0", "G1c", "G-single", "G-nonadjacent", "G2-item"])]),
        Make("strong-read-uncommitted", [.. Pl1, .. Realtime(["G0"])]),
        Make("strong-read-committed", [.. Pl2, .. Realtime(["G0", "G1c"])]),
        Make("strong-snapshot-isolation", [.. Si, .. Realtime(["G0", "G1c", "G-single", "G-nonadjacent"])]),
        Make("strict-serializable", [.. Ser, .. Realtime(["G0", "G1c", "G-single", "G-nonadjacent", "G2-item"])]),
    }.ToFrozenDictionary(m => m.Name);

    private static readonly FrozenDictionary<string, string> Aliases = new Dictionary<string, string>
    {
        ["strong-serializable"] = "strict-serializable",
        ["strong-session-read-uncommitted"] = "strong-session-read-uncommitted",
        ["si"] = "snapshot-isolation",
        ["rc"] = "read-committed",
        ["ru"] = "read-uncommitted",
        ["rr"] = "repeatable-read",
    }.ToFrozenDictionary();

    private static ConsistencyModel Make(string name, string[] forbidden) => new(name, [.. forbidden]);

    /// <summary>Model names, weakest first.</summary>
    public static ImmutableArray<string> Names { get; } =
    [
        "read-uncommitted", "read-committed", "repeatable-read", "snapshot-isolation", "serializable",
        "strong-session-read-uncommitted", "strong-session-read-committed", "strong-session-snapshot-isolation",
        "strong-session-serializable", "strong-read-uncommitted", "strong-read-committed",
        "strong-snapshot-isolation", "strict-serializable",
    ];

    public static ConsistencyModel Serializable => Models["serializable"];
    public static ConsistencyModel StrictSerializable => Models["strict-serializable"];

    /// <summary>Parses a model name (case-insensitive); throws <see cref="UserErrorException"/> listing valid names.</summary>
    public static ConsistencyModel Parse(string name)
    {
        var n = (name ?? "").Trim().ToLowerInvariant().Replace('_', '-');
        if (Aliases.TryGetValue(n, out var alias)) n = alias;
        return Models.TryGetValue(n, out var model)
            ? model
            : throw new UserErrorException($"unknown consistency model '{name}'; valid models: {string.Join(", ", Names)}");
    }
}
