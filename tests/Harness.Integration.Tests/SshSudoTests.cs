using Harness.Cli;
using Harness.Testing;

namespace Harness.Integration.Tests;

/// <summary>The sandbox with its non-root users (<c>scripts/ssh-sandbox up 3 --sudo-user</c>).</summary>
public sealed class SshSudoSandbox : IAsyncLifetime
{
    public SshSandbox Sandbox { get; } = new(sudoUser: true);

    public Task InitializeAsync() => Sandbox.InitializeAsync();

    public Task DisposeAsync() => Sandbox.DisposeAsync();
}

/// <summary>
/// <c>--sudo</c> against a real sudo: the sandbox's hosts logged in to as harness-ssh (NOPASSWD: ALL in
/// /etc/sudoers.d) and harness-nosudo (no sudo rights), every command through <c>sudo -n --</c>.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SshSudoTests(SshSudoSandbox fixture) : IClassFixture<SshSudoSandbox>
{
    private SshSandbox Sandbox => fixture.Sandbox;

    /// <summary>The sandbox's options with the login user and <c>--sudo</c> replaced.</summary>
    private string[] OptionsFor(string user, bool sudo)
    {
        var options = Sandbox.Options.Where(o => o != "--sudo").ToList();
        options[options.IndexOf("--ssh-user") + 1] = user;
        if (sudo) options.Add("--sudo");
        return [.. options];
    }

    [IntegrationFact("iptables")]
    public async Task Should_RefuseInOneLineAndChangeNothing_When_TheUserHasNoSudoRightsOrSudoIsNotPassed()
    {
        var results = System.IO.Directory.CreateTempSubdirectory("harness-ssh-sudo-").FullName;
        var cases = new (string[] Options, string Expect)[]
        {
            (OptionsFor("harness-nosudo", sudo: true), "harness-nosudo cannot run sudo without a password"),
            (OptionsFor("harness-ssh", sudo: false), "harness-ssh is not root there; pass --sudo"),
        };
        foreach (var (options, expect) in cases)
        {
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();

            // When a test logs in as a user that cannot act as root (no sudo rights, or --sudo not passed)
            var exit = await CliApp.RunAsync(["test", "postgres", "--workload", "register", "--time-limit", "2", "--results", results, "--plain", .. options], stdout, stderr);

            // Then it exits 254 with one line naming the host and the fix, and nothing was made on any host
            var lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(exit == 254, $"exit {exit} for {string.Join(' ', options)}\n{stdout}\n{stderr}");
            Assert.True(lines.Length == 1, stderr.ToString());
            Assert.Contains(expect, lines[0], StringComparison.Ordinal);
            Assert.Empty(await Sandbox.LeftoversAsync());
        }
        System.IO.Directory.Delete(results, recursive: true);
    }

    [IntegrationFact("postgres", "iptables")]
    public async Task Should_RunTheWholeTestAsANonRootUser_When_SudoIsPassedWithPartitions()
    {
        // When the register test runs on the three hosts as harness-ssh, every command (iptables too) through sudo -n
        var run = await RunAsync("--workload", "register", "--nemesis", "partition", "--time-limit", "10", "--nemesis-interval", "3", "--recovery-time", "2");

        // Then it runs to its end as a root login does (valid: reads and writes go to the primary, whose transactions
        // are linearizable on one server; https://www.postgresql.org/docs/15/transaction-iso.html), with partitions
        // and acknowledged writes in the history
        Assert.True(run.Exit == 0, run.Output);
        Assert.Contains(run.History, o => o.IsNemesis && o.F == "start-partition" && o.IsInfo);
        Assert.Contains(run.History, o => o.IsOk && o.F == "write");
    }

    [IntegrationFact("postgres", "iptables")]
    public async Task Should_LoseNoAcknowledgedAdd_When_SyncReplicationAndThePrimaryIsKilledThroughSudo()
    {
        // When, as harness-ssh, the primary is killed (signals through sudo -n) and a standby promoted
        var run = await RunAsync("--workload", "set", "--replication", "sync", "--failover", "promote",
            "--nemesis", "kill-primary", "--nemesis-interval", "5", "--time-limit", "14", "--recovery-time", "2");

        // Then, as with a root login, no acknowledged add is missing (PostgreSQL 15, 27.2.8 Synchronous Replication,
        // https://www.postgresql.org/docs/15/warm-standby.html#SYNCHRONOUS-REPLICATION: a commit is acknowledged only
        // once a synchronous standby has written it, so the promoted standby has it), and the kill and the promotion are in the history
        Assert.True(run.Exit == 0, run.Output);
        Assert.Contains(run.History, o => o.IsNemesis && o.F == "kill-primary" && o.IsInfo);
        Assert.Contains(run.History, o => o.IsNemesis && o.F == "promote" && o.IsInfo);
    }

    /// <summary>A test as harness-ssh with --sudo; checks that it said so and left nothing on the hosts.</summary>
    private async Task<CliRun> RunAsync(params string[] args)
    {
        var run = await PostgresExperimentTests.RunAsync([.. OptionsFor("harness-ssh", sudo: true), .. args]);
        Assert.Contains("as harness-ssh (sudo)", run.Output, StringComparison.Ordinal);
        Assert.Empty(await Sandbox.LeftoversAsync());
        return run;
    }
}
