using Harness.Core;
using Harness.Core.Control;
using Harness.Core.Nemeses;
using Harness.Core.Running;

namespace Harness.Databases.Memory;

/// <summary>The <c>memory</c> database: every workload, every fault, planted bugs with --bug.</summary>
public sealed class MemorySuite : ISuite
{
    public string Name => "memory";

    public IReadOnlySet<string> SupportedWorkloads { get; } = Workloads.Workloads.Names.ToHashSet();

    public IReadOnlyList<string> Packages { get; } = [];

    public IProvisioner? Provisioner { get; } = new InMemoryProvisioner();

    public TestSpec CreateTest(TestOptions options)
    {
        foreach (var bug in options.Bugs)
            if (!MemoryBugs.All.Contains(bug))
                throw new UserErrorException($"unknown bug '{bug}' for memory; valid bugs: {string.Join(", ", MemoryBugs.All)}");
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
