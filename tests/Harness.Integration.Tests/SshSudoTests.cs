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
}
