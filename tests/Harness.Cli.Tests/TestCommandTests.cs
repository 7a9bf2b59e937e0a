using Harness.Cli.Commands;
using Harness.Core;
using Harness.Testing;

namespace Harness.Cli.Tests;

public sealed class TestCommandTests : IDisposable
{
    private readonly string _results = Directory.CreateTempSubdirectory("harness-test-command-").FullName;

    public void Dispose() => Directory.Delete(_results, recursive: true);

    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private string[] Memory(params string[] extra) =>
        ["test", "memory", "--time-limit", "1", "--rate", "300", "--concurrency", "1n", "--results", _results, "--seed", "5", .. extra];

    [Fact]
    public async Task Should_Exit_0_And_Store_The_Run_When_The_Memory_Test_Is_Valid()
    {
        // Given / When
        var (exit, output, _) = await RunAsync(Memory("--workload", "set", "--nemesis", "partition", "--nemesis-interval", "0.2", "--recovery-time", "0"));

        // Then the run is stored with every file, the seed is printed, and latest points at it
        Assert.Equal(0, exit);
        Assert.Contains("seed 5", output, StringComparison.Ordinal);
        var latest = Path.Combine(_results, "latest");
        foreach (var file in new[] { "test.json", "history.jsonl", "results.json", "harness.log" })
            Assert.True(File.Exists(Path.Combine(latest, file)), file);
        Assert.Contains("\"seed\": 5", File.ReadAllText(Path.Combine(latest, "test.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_Exit_1_And_Recheck_As_Invalid_When_A_Planted_Bug_Is_Found()
    {
        // Given a run of the memory set with lost writes
        var (exit, _, _) = await RunAsync(Memory("--workload", "set", "--bug", "lost-write"));

        // When the stored run is checked again with its own test's checkers
        var (recheck, output, _) = await RunAsync("check", Path.Combine(_results, "latest"));

        // Then both say invalid
        Assert.Equal(1, exit);
        Assert.Equal(1, recheck);
        Assert.Contains("invalid", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_Exit_254_With_One_Line_When_The_Results_Directory_Cannot_Be_Written()
    {
        // Given --results below a regular file (unwritable even for root)
        var file = Path.Combine(_results, "plain-file");
        await File.WriteAllTextAsync(file, "");

        // When a test runs
        var (exit, output, error) = await RunAsync("test", "memory", "--time-limit", "1", "--workload", "set", "--results", Path.Combine(file, "results"));

        // Then it stops at once with one line naming --results
        Assert.Equal(254, exit);
        Assert.Equal("", output);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("harness: cannot create the run directory ", line, StringComparison.Ordinal);
        Assert.EndsWith("pass --results DIR, a directory you can write", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("killed")]
    [InlineData("killed-old-directory")]
    public async Task Should_Recheck_As_Unknown_With_The_Reason_When_The_Run_Did_Not_Finish(string kind)
    {
        // Given a finished, valid register run with partitions, then made to look killed with kill -9 inside a
        // partition: half its client ops, a start-partition, a torn last line, and no phase completed (or no phase
        // record at all, as in a run directory older than that record)
        var (exit, _, _) = await RunAsync(Memory("--workload", "register", "--nemesis", "partition", "--nemesis-interval", "0.2", "--recovery-time", "0"));
        Assert.Equal(0, exit);
        var dir = Path.Combine(_results, "latest");
        var (valid, _, _) = await RunAsync("check", dir);
        Assert.Equal(0, valid);
        Assert.Equal(["main", "heal"], File.ReadAllLines(Path.Combine(dir, "phases.txt")));
        var history = Path.Combine(dir, "history.jsonl");
        var lines = File.ReadAllLines(history);
        var clientOps = lines.Where(l => !l.Contains("\"process\":\"nemesis\"", StringComparison.Ordinal)).Take(lines.Length / 2);
        const string Partition = """
            {"type":"invoke","process":"nemesis","f":"start-partition","value":{"shape":"majority"}}
            {"type":"info","process":"nemesis","f":"start-partition","value":{"nodes":["n1"],"components":[["n1"],["n2","n3"]]}}
            """;
        File.WriteAllText(history, string.Join('\n', clientOps) + "\n" + Partition + "\n" + lines[^1][..20]);
        if (kind == "killed") File.WriteAllText(Path.Combine(dir, "phases.txt"), "");
        else File.Delete(Path.Combine(dir, "phases.txt"));

        // When it is checked again
        var (recheck, output, error) = await RunAsync("check", dir);

        // Then it is unknown, says why, and results.json (so the results index) says the same
        Assert.Equal(2, recheck);
        Assert.Contains($"{dir}: unknown: run: the run did not finish: ", output, StringComparison.Ordinal);
        Assert.Contains(kind == "killed" ? "the main phase did not complete, no final heal after the last fault" : "the fault 'partition", output, StringComparison.Ordinal);
        Assert.Contains("history.jsonl ends in a torn line", output, StringComparison.Ordinal);
        Assert.Contains("warning: the last line is cut short", error, StringComparison.Ordinal);
        Assert.Contains("\"validity\": \"unknown\"", File.ReadAllText(Path.Combine(dir, "results.json")).Replace("\":\"", "\": \"", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("the run did not finish", File.ReadAllText(Path.Combine(_results, "index.html")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mongo", "--workload", "set", "valid databases: memory")]
    [InlineData("memory", "--workload", "queue", "valid workloads:")]
    [InlineData("memory", "--nemesis", "flood", "valid faults:")]
    [InlineData("memory", "--partition-shape", "star", "valid shapes:")]
    [InlineData("memory", "--concurrency", "x", "--concurrency")]
    [InlineData("memory", "--nodes", "10", "--nodes")]
    [InlineData("memory", "--bug", "slow", "valid values: stale-read, lost-write, bad-transfer")]
    [InlineData("memory", "--isolation", "snapshot", "--isolation")]
    public async Task Should_Exit_254_With_One_Line_When_The_Input_Is_Bad(string db, string flag, string value, string expected)
    {
        // Given / When
        var (exit, _, error) = await RunAsync("test", db, flag, value, "--results", _results);

        // Then
        Assert.Equal(254, exit);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    // options of another database are not silently ignored
    [InlineData("postgres --bug lost-write", "--bug")]
    [InlineData("memory --replication sync", "--replication")]
    // combinations that cannot apply
    [InlineData("postgres --failover promote --nodes 1", "--failover promote needs --nodes 2")]
    [InlineData("postgres --fencing", "add --failover promote")]
    [InlineData("postgres --replication sync --sync-replicas 3", "--sync-replicas must be at most")]
    [InlineData("memory --nemesis partition --nodes 1", "--nemesis partition needs --nodes 2")]
    [InlineData("postgres --nemesis loss --nodes 1", "--nemesis loss needs --nodes 2")]
    [InlineData("memory --nemesis lag", "memory has no replication to hold back")]
    [InlineData("postgres --lag-ms soon", "--lag-ms accepts auto or a whole number")]
    [InlineData("memory --nemesis partition --partition-shape bridge --nodes 2", "--partition-shape bridge needs --nodes 3")]
    [InlineData("memory --nemesis partition --partition-shape majorities-ring --nodes 2", "--partition-shape majorities-ring needs --nodes 3")]
    // options given explicitly that cannot apply to the rest
    [InlineData("memory --partition-shape bridge --nodes 2", "--partition-shape shapes the partition fault; add --nemesis partition")]
    [InlineData("memory --nemesis kill --partition-shape one", "--partition-shape shapes the partition fault")]
    [InlineData("memory --loss-probability 0.5", "--loss-probability is the loss fault's; add --nemesis loss")]
    [InlineData("memory --nemesis partition --loss-probability 0.5", "--loss-probability is the loss fault's")]
    [InlineData("memory --nemesis-interval 3", "--nemesis-interval paces the faults, and there are none")]
    [InlineData("memory --nemesis none --nemesis-interval 3", "--nemesis-interval paces the faults")]
    [InlineData("memory --workload set --key-count 3", "--key-count applies to the register, list-append, session workloads, not to set")]
    [InlineData("memory --workload bank --key-count 3", "not to bank")]
    [InlineData("memory --provisioner docker", "memory makes its own nodes in this process; leave --provisioner out")]
    [InlineData("memory --leave-db-running", "nothing can be left running")]
    [InlineData("memory --workload register --bug lost-write", "--bug lost-write cannot strike in the register workload (it strikes in set)")]
    [InlineData("memory --workload set --bug stale-read,lost-write", "--bug stale-read cannot strike in the set workload")]
    [InlineData("postgres --sync-replicas 2", "--sync-replicas counts synchronous standbys; add --replication sync")]
    [InlineData("postgres --workload register --isolation read-committed", "the register workload has none, so leave --isolation out")]
    [InlineData("postgres --nodes 1 --lag-ms 50", "--lag-ms delays the standbys, and --nodes 1 has none")]
    [InlineData("mysql --topology galera --replication async", "--topology galera replicates its own way; use --topology primary-replica, or leave --replication out")]
    [InlineData("mysql --nodes 1 --replication async", "--replication chooses how the replicas replicate, and --nodes 1 has none")]
    [InlineData("mysql --semi-sync-wait after-sync", "--semi-sync-wait sets when a semi-sync commit waits for a replica's acknowledgement, and --replication async has no such wait; add --replication semi-sync")]
    [InlineData("mysql --replication async --semi-sync-timeout 10000", "--semi-sync-timeout bounds how long a semi-sync commit waits")]
    [InlineData("mysql --topology multi-primary --semi-sync-wait after-sync", "--topology multi-primary has no semi-sync replication")]
    [InlineData("mysql --nodes 1 --read-from any", "--read-from chooses the node that serves reads, and --nodes 1 has only one")]
    [InlineData("mysql --workload set --read-from primary", "the set workload reads from the node it writes to")]
    [InlineData("mysql --workload set --read-from replica --lag-ms 0", "the set workload reads from the node it writes to")]
    [InlineData("mysql --workload set --read-from any --replication semi-sync", "the set workload reads from the node it writes to")]
    [InlineData("mariadb --topology galera --workload set --read-from any", "the set workload reads from the node it writes to")]
    [InlineData("mysql --topology galera --failover none", "--topology galera has no single primary; use --topology primary-replica, or leave --failover out")]
    [InlineData("mysql --nodes 1 --failover none", "--nodes 1 has no replica to promote")]
    [InlineData("mysql --failover none --fencing false", "--fencing kills the old primary at a promotion, and without --failover promote there is none")]
    [InlineData("mysql --workload register --isolation read-committed", "the register workload has none, so leave --isolation out")]
    [InlineData("mysql --workload session --innodb-snapshot-isolation on", "the session workload runs each operation as one statement, with no transaction")]
    [InlineData("mysql --workload list-append --innodb-snapshot-isolation on", "--isolation serializable locks the rows it reads instead of reading a snapshot; add --isolation repeatable-read")]
    [InlineData("mysql --workload bank --isolation read-committed --innodb-snapshot-isolation off", "--isolation read-committed takes a fresh snapshot at every statement")]
    [InlineData("mysql --workload list-append --isolation read-uncommitted --innodb-snapshot-isolation default", "--isolation read-uncommitted reads the latest rows")]
    [InlineData("mysql --wsrep-sync-wait 0", "--topology primary-replica is not Galera; add --topology galera, or leave --wsrep-sync-wait out")]
    [InlineData("mysql --topology multi-primary --wsrep-sync-wait 0", "--topology multi-primary is not Galera")]
    [InlineData("mysql --topology galera --lag-ms 0", "--lag-ms delays the replicas' SQL threads, and galera has none")]
    [InlineData("mysql --nodes 1 --lag-ms 1000", "--lag-ms delays the replicas, and --nodes 1 has none")]
    [InlineData("etcd --nodes 1 --pre-vote", "--pre-vote keeps a member that was cut off from deposing the leader when it rejoins, and --nodes 1 has no other member")]
    [InlineData("redis --workload set --read-from replica", "--read-from routes reads, and the set workload reads from the current primary")]
    [InlineData("redis --workload set --read-from primary --wait 1", "the set workload reads from the current primary")]
    // numbers out of range
    [InlineData("memory --time-limit 1e12", "--time-limit must be")]
    [InlineData("memory --time-limit Infinity", "--time-limit must be")]
    [InlineData("memory --op-timeout NaN", "--op-timeout must be")]
    [InlineData("memory --rate 1e-300", "--rate must be 0 (unlimited) or between")]
    [InlineData("memory --rate Infinity", "--rate must be 0 (unlimited) or between")]
    [InlineData("memory --concurrency 2147483647", "the most is 10000")]
    [InlineData("memory --concurrency 999999999n", "the most is 10000")]
    [InlineData("memory --key-count 0", "--key-count must be between 1")]
    [InlineData("postgres --sync-replicas 99", "--sync-replicas accepts a whole number from 1 to 8")]
    [InlineData("postgres --isolation snapshot", "--isolation accepts read-committed | repeatable-read | serializable")]
    // a provisioner's option with another provisioner, or a bad value of it
    [InlineData("postgres --image postgres:15", "--image is an option of --provisioner docker, not of netns")]
    [InlineData("postgres --provisioner netns --image postgres:15", "--image is an option of --provisioner docker, not of netns")]
    [InlineData("postgres --provisioner docker --image Bad_Name", "--image Bad_Name: not an image name")]
    public async Task Should_Refuse_With_One_Line_When_Options_Cannot_Apply(string command, string expected)
    {
        // Given / When
        var (exit, output, error) = await RunAsync(["test", .. command.Split(' '), "--results", _results]);

        // Then nothing ran: one line, exit 254, and no run directory was made
        Assert.Equal(254, exit);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("seed", output, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_results));
    }

    [Theory]
    [InlineData("test postgres --no-such-option", "harness test postgres --help")]
    [InlineData("test memory --nodes", "harness test memory --help")]
    [InlineData("list --no-such-option", "harness list --help")]
    [InlineData("--no-such-option", "'harness --help'")]
    public async Task Should_Name_The_Command_Whose_Help_Shows_The_Options(string command, string hint)
    {
        // Given / When a command line that does not parse
        var (exit, _, error) = await RunAsync(command.Split(' '));

        // Then the hint names the command whose --help lists the options (not the root's help)
        Assert.Equal(254, exit);
        Assert.Contains($"(see '{hint.Trim('\'')}", error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [IntegrationFact("setpriv")]
    public async Task Should_Say_It_Needs_Root_First_And_Make_Nothing_When_Postgres_Runs_As_Nobody()
    {
        HostCapabilities.Require("setpriv"); // as root, which setpriv needs to switch to nobody
        // Given a results directory nobody may write to (so a run directory made before the check would show)
        var results = Directory.CreateDirectory(Path.Combine(_results, "open")).FullName;
        if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(_results, (UnixFileMode)0b111_101_101);
            File.SetUnixFileMode(results, (UnixFileMode)0b111_111_111);
        }

        // When harness test postgres runs as nobody
        var psi = new System.Diagnostics.ProcessStartInfo("setpriv") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--reuid=nobody", "--regid=nogroup", "--clear-groups", "env", "HOME=/tmp", "DOTNET_EnableDiagnostics=0",
                     "dotnet", Path.Combine(AppContext.BaseDirectory, "harness.dll"), "test", "postgres", "--time-limit", "1", "--results", results })
            psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();

        // Then the first (and only) line says it needs root, exit 254, and no run directory was made
        Assert.Equal(254, p.ExitCode);
        Assert.Equal("", await stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("harness: ", line, StringComparison.Ordinal);
        Assert.Contains("root", line, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(results));
    }

    [Theory]
    [InlineData("memory --nemesis partition --partition-shape bridge,one --nemesis-interval 2")]
    [InlineData("memory --nemesis loss --loss-probability 0.5")]
    [InlineData("memory --workload session --key-count 3 --bug stale-read")]
    [InlineData("memory --workload bank --bug bad-transfer,none")]
    [InlineData("postgres --replication sync --sync-replicas 2")]
    [InlineData("postgres --workload bank --isolation read-committed --nodes 1 --lag-ms auto")]
    [InlineData("mysql --replication semi-sync --semi-sync-wait after-commit --semi-sync-timeout 500")]
    [InlineData("mysql --replication async --read-from replica --failover promote --fencing --lag-ms 2000")]
    [InlineData("mysql --failover none --read-from primary")]
    [InlineData("mysql --workload set --read-from replica")] // makes --lag-ms auto a MASTER_DELAY of 1 s
    [InlineData("mysql --workload set --topology multi-primary --lag-ms 1000")]
    [InlineData("mariadb --topology galera --read-from any --wsrep-sync-wait 1 --workload register")]
    [InlineData("mysql --workload list-append --isolation repeatable-read --innodb-snapshot-isolation on")]
    [InlineData("mysql --workload bank --isolation read-uncommitted")]
    [InlineData("mysql --nodes 1 --lag-ms auto")]
    [InlineData("etcd --pre-vote")]
    [InlineData("etcd --nodes 1 --serializable-reads --workload set")]
    [InlineData("redis --workload session --read-from replica --wait 1")]
    [InlineData("redis --workload set --wait 2")]
    public void Should_Accept_Options_That_Apply(string command)
    {
        // Given / When / Then each option given acts on the test, so it is accepted
        Assert.NotNull(TestCommand.Prepare(command.Split(' ')));
    }

    [Fact]
    public async Task Should_Show_Only_The_Databases_Own_Options_In_Its_Help()
    {
        // Given / When
        var (pgExit, postgres, _) = await RunAsync("test", "postgres", "--help");
        var (memExit, memory, _) = await RunAsync("test", "memory", "--help");

        // Then each shows the options every test has and its own, not the other's
        Assert.Equal(0, pgExit);
        Assert.Equal(0, memExit);
        foreach (var common in new[] { "--workload", "--nemesis", "--time-limit", "--concurrency", "--seed" })
        {
            Assert.Contains(common, postgres, StringComparison.Ordinal);
            Assert.Contains(common, memory, StringComparison.Ordinal);
        }
        foreach (var own in new[] { "--replication", "--read-from", "--failover", "--fencing", "--isolation", "--sync-replicas" })
        {
            Assert.Contains(own, postgres, StringComparison.Ordinal);
            Assert.DoesNotContain(own, memory, StringComparison.Ordinal);
        }
        Assert.Contains("--bug", memory, StringComparison.Ordinal);
        Assert.DoesNotContain("--bug", postgres, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_Name_The_Databases_When_None_Is_Given()
    {
        // Given / When
        var (exit, _, error) = await RunAsync("test");

        // Then
        Assert.Equal(254, exit);
        Assert.Contains("databases: memory, postgres", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_Save_The_Databases_Own_Options_With_Defaults_In_Test_Json()
    {
        // Given / When
        var (exit, _, _) = await RunAsync(Memory("--workload", "set", "--bug", "lost-write"));

        // Then
        Assert.Equal(1, exit);
        var json = File.ReadAllText(Path.Combine(_results, "latest", "test.json"));
        Assert.Contains("\"databaseOptions\": {\n      \"bug\": \"lost-write\"", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("5", 3, 5)]
    [InlineData("2n", 3, 6)]
    [InlineData("1n", 9, 9)]
    public void Should_Resolve_Concurrency_When_Given_Per_Node(string value, int nodes, int expected)
    {
        // Given / When / Then
        Assert.Equal(expected, TestCommand.ParseConcurrency(value, nodes));
    }

    [Fact]
    public void Should_Reject_Zero_Concurrency()
    {
        // Given / When / Then
        Assert.Throws<UserErrorException>(() => TestCommand.ParseConcurrency("0n", 3));
    }

    [Fact]
    public async Task Should_List_Databases_Workloads_And_Faults()
    {
        // Given / When
        var (exit, output, _) = await RunAsync("list");

        // Then
        Assert.Equal(0, exit);
        foreach (var name in new[] { "memory", "postgres", "list-append", "kill-primary", "majorities-ring" })
            Assert.Contains(name, output, StringComparison.Ordinal);
    }
}
