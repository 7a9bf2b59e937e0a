using Harness.Cli;
using Harness.Testing;

namespace Harness.Integration.Tests;

[Collection(ClusterCollection.Name)]
public sealed class TestAllPostgresTests
{
    [IntegrationFact("postgres", "iptables")]
    public async Task Should_Run_A_Short_PostgreSQL_Test_Beside_The_Memory_Database_When_A_Matrix_Mixes_Them()
    {
        await Capabilities.RequireAsync("ip", "iptables", "postgres");
        var dir = Directory.CreateTempSubdirectory("harness-test-all-pg-").FullName;
        var before = await MachineSnapshot.TakeAsync();
        var junit = Path.Combine(dir, "junit.xml");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        // When a matrix runs a 3 s PostgreSQL register test (reads and writes on the primary: valid) and the memory
        // set with lost writes (invalid)
        var exit = await CliApp.RunAsync(["test-all", "--test", "postgres --workload register --time-limit 3 --recovery-time 1",
            "--test", "memory --workload set --bug lost-write --time-limit 1", "--results", Path.Combine(dir, "results"), "--junit", junit], stdout, stderr);

        // Then the worst verdict is the exit code, the summary has both, and the JUnit XML has one failure
        var output = stdout.ToString();
        Assert.True(exit == 1, $"exit {exit}\n{output}\n{stderr}");
        Assert.Matches(@"postgres --workload register --time-limit 3 --recovery-time 1\s+1\s+valid\s+0\s", output);
        Assert.Matches(@"memory --workload set --bug lost-write --time-limit 1\s+1\s+invalid\s+[1-9]", output);
        var cases = JUnitSchema.Valid(junit).Descendants("testcase").ToList();
        Assert.Equal(["postgres", "memory"], cases.Select(c => (string?)c.Attribute("classname")));
        Assert.Null(cases[0].Element("failure"));
        Assert.NotNull(cases[1].Element("failure"));

        // And nothing of the cluster is left
        Assert.Empty(await MachineSnapshot.NewSinceAsync(before));
        Directory.Delete(dir, recursive: true);
    }
}
