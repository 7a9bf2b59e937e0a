using System.CommandLine;
using Harness.Checkers.Cycles;
using Harness.Checkers.Linearizability;
using Harness.Core.Nemeses;

namespace Harness.Cli.Commands;

/// <summary><c>harness list</c>: databases (with their workloads), workloads, faults, partition shapes and models.</summary>
internal static class ListCommand
{
    public static Command Create()
    {
        var command = new Command("list", "List the databases, workloads, faults, partition shapes and checker models");
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine("databases:");
            foreach (var suite in Suites.All())
                output.WriteLine($"  {suite.Name,-12} workloads: {string.Join(", ", suite.SupportedWorkloads.Order())}");
            output.WriteLine($"workloads: {string.Join(", ", Workloads.Workloads.Names)}");
            output.WriteLine($"faults (--nemesis): {string.Join(", ", FaultKinds.Names)}");
            output.WriteLine($"partition shapes (--partition-shape): {string.Join(", ", PartitionShapes.All)}");
            output.WriteLine($"provisioners (--provisioner): {string.Join(", ", Suites.Provisioners)}");
            output.WriteLine($"linearizability models (check --model): {string.Join(", ", LinearizabilityModels.Names)}");
            output.WriteLine($"consistency models (check --consistency): {string.Join(", ", ConsistencyModels.Names)}");
            return 0;
        });
        return command;
    }
}
