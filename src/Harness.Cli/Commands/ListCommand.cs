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
            {
                var aliases = suite.Aliases.IsDefaultOrEmpty ? "" : $" (also {string.Join(", ", suite.Aliases)})";
                output.WriteLine($"  {suite.Name,-12} {suite.Description}{aliases}");
                output.WriteLine($"  {"",-12} workloads: {string.Join(", ", Workloads.Workloads.Names.Where(suite.SupportedWorkloads.Contains))}");
                if (suite.Options.Count > 0)
                    output.WriteLine($"  {"",-12} options: {string.Join(", ", suite.Options.Select(o => o.Flag))} (harness test {suite.Name} --help)");
            }
            output.WriteLine("workloads:");
            foreach (var w in Workloads.Workloads.All)
                output.WriteLine($"  {w.Name,-12} {w.Description}{(w.Runnable ? "" : " (check only)")}");
            output.WriteLine("faults (--nemesis):");
            foreach (var f in FaultKinds.All)
                output.WriteLine($"  {f.Name,-12} {f.Description}");
            output.WriteLine($"partition shapes (--partition-shape): {string.Join(", ", PartitionShapes.All)}");
            output.WriteLine("provisioners (--provisioner):");
            foreach (var kind in Suites.ProvisionerKinds)
            {
                output.WriteLine($"  {kind.Name,-12} {kind.Description}");
                foreach (var option in kind.Options)
                    output.WriteLine($"    {option.Flag + (option.IsSwitch ? "" : " " + option.Accepts),-30} {option.Description}");
            }
            output.WriteLine($"linearizability models (check --model): {string.Join(", ", LinearizabilityModels.Names)}");
            output.WriteLine($"consistency models (check --consistency): {string.Join(", ", ConsistencyModels.Names)}");
            return 0;
        });
        return command;
    }
}
