using System.Collections.Immutable;
using Harness.Core;
using Harness.Core.Running;

namespace Harness.Workloads;

/// <summary>The workloads by name (database-independent: generator + final generator + checker).</summary>
public static class Workloads
{
    public static ImmutableArray<string> Names { get; } =
        [RegisterWorkload.Name, SetWorkload.Name, SessionWorkload.Name, ListAppendWorkload.Name, BankWorkload.Name];

    /// <summary>The workload named by <paramref name="options"/>.Workload; unknown names are a user error.</summary>
    public static Workload Create(TestOptions options) => options.Workload switch
    {
        RegisterWorkload.Name => RegisterWorkload.Create(options),
        SetWorkload.Name => SetWorkload.Create(options),
        SessionWorkload.Name => SessionWorkload.Create(options),
        ListAppendWorkload.Name => ListAppendWorkload.Create(options),
        BankWorkload.Name => BankWorkload.Create(options),
        var other => throw new UserErrorException($"unknown workload '{other}'; valid workloads: {string.Join(", ", Names)}"),
    };
}
