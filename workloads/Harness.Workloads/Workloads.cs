using System.Collections.Immutable;
using Harness.Core;
using Harness.Core.Running;
using Harness.Core.Runs;

namespace Harness.Workloads;

/// <summary>
/// One workload: its name and help; whether <c>harness test</c> can run it (a generator and a checker, built
/// by <see cref="Workloads.Create"/>) and whether <c>harness check --workload</c> can check a history of it.
/// </summary>
public sealed record WorkloadKind(string Name, string Description, bool Runnable, bool Checkable);

/// <summary>The one table of workloads: <c>test</c>, <c>check</c>, <c>list</c> and the suites read it.</summary>
public static class Workloads
{
    public static ImmutableArray<WorkloadKind> All { get; } =
    [
        new(RegisterWorkload.Name, "reads, writes and compare-and-sets on registers; linearizable per key", Runnable: true, Checkable: false),
        new(SetWorkload.Name, "unique adds and final reads; no acknowledged add lost", Runnable: true, Checkable: true),
        new(SessionWorkload.Name, "writes and reads per client; read-your-writes, monotonic reads and writes, writes-follow-reads, consistent prefix", Runnable: true, Checkable: true),
        new(ListAppendWorkload.Name, "transactions of appends and reads on lists; Elle-style cycles for the isolation level", Runnable: true, Checkable: true),
        new(BankWorkload.Name, "transfers between accounts; the total stays and no balance goes negative", Runnable: true, Checkable: true),
        new("rw-register", "transactions of writes and reads on registers (Elle's rw-register)", Runnable: false, Checkable: true),
        new("counter", "increments and reads of a counter", Runnable: false, Checkable: true),
    ];

    /// <summary>The workloads <c>harness test</c> runs.</summary>
    public static ImmutableArray<string> Names { get; } = [.. All.Where(w => w.Runnable).Select(w => w.Name)];

    /// <summary>The workloads <c>harness check --workload</c> checks.</summary>
    public static ImmutableArray<string> CheckNames { get; } = [.. All.Where(w => w.Checkable).Select(w => w.Name)];

    /// <summary>The workload named by <paramref name="options"/>.Workload; transactional workloads are checked
    /// for <paramref name="consistency"/> (a model name: the isolation level the database promises), and
    /// <paramref name="levelName"/> is the level as the database names it, when that is another model.</summary>
    public static Workload Create(TestOptions options, string consistency = "serializable", string? levelName = null) => options.Workload switch
    {
        RegisterWorkload.Name => RegisterWorkload.Create(options),
        SetWorkload.Name => SetWorkload.Create(options),
        SessionWorkload.Name => SessionWorkload.Create(options),
        ListAppendWorkload.Name => ListAppendWorkload.Create(options, consistency, levelName),
        BankWorkload.Name => BankWorkload.Create(options),
        var other => throw new UserErrorException($"unknown workload '{other}'; valid workloads: {string.Join(", ", Names)}"),
    };
}
