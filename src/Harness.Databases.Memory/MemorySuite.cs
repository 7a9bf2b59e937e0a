using Harness.Core.Control;
using Harness.Core.Nemeses;
using Harness.Core.Running;
using Harness.Core.Runs;

namespace Harness.Databases.Memory;

/// <summary>The <c>memory</c> database: every workload, every fault, planted bugs with --bug.</summary>
public sealed class MemorySuite : ISuite
{
    /// <summary>--bug: the planted bugs (none by default).</summary>
    public static ListOption Bugs { get; } = new("bug", "Planted bugs, comma-separated: each strikes 20% of the time", [.. MemoryBugs.All])
    {
        CannotApply = IdleBug,
    };

    /// <summary>The line refusing a planted bug that cannot strike in the workload, or null.</summary>
    private static string? IdleBug(TestOptions o) =>
        Bugs.Of(o).FirstOrDefault(bug => !MemoryBugs.Strikes(bug, o.Workload)) is { } idle
            ? $"--bug {idle} cannot strike in the {o.Workload} workload (it strikes in {string.Join(", ", MemoryBugs.WorkloadsOf(idle))}); leave it out"
            : null;

    public string Name => "memory";

    public string Description => "in-process database with planted bugs (no root or servers needed), for trying the harness";

    public IReadOnlyList<SuiteOption> Options { get; } = [Bugs];

    public IReadOnlySet<string> SupportedWorkloads { get; } = Workloads.Workloads.Names.ToHashSet();

    public IProvisioner? Provisioner { get; } = new InMemoryProvisioner();

    public TestSpec CreateTest(TestOptions options)
    {
        var database = new MemoryDatabase(options);
        var faults = options.Faults.IsDefaultOrEmpty ? "" : "-" + string.Join(',', options.Faults);
        return new TestSpec
        {
            Name = $"memory-{options.Workload}{faults}",
            Options = options,
            Database = database,
            OpenClient = database.OpenClientAsync,
            Workload = Workloads.Workloads.Create(options),
            Nemesis = NemesisPackages.Create(options, database),
        };
    }
}
