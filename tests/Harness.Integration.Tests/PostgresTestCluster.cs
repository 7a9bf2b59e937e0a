using System.Collections.Immutable;
using System.Diagnostics;
using Harness.Core.Control;
using Harness.Core.Histories;
using Harness.Databases.Postgres;
using Harness.Provisioning.Netns;
using Npgsql;
using Harness.Core.Running;
using Harness.Core.Runs;

namespace Harness.Integration.Tests;

/// <summary>A 3-node netns cluster running <see cref="PostgresDatabase"/>, torn down and checked for leftovers on dispose.</summary>
internal sealed class PostgresTestCluster : IAsyncDisposable
{
    /// <summary>Timings and database log lines of every cluster test, for diagnosing slow or failing runs.</summary>
    public static readonly string LogPath = Path.Combine(Path.GetTempPath(), "harness-integration.log");

    private readonly List<int> _pids = [];

    private HashSet<string> _before = [];

    private PostgresTestCluster(NetnsCluster cluster, PostgresDatabase db, RunContext run)
    {
        Cluster = cluster;
        Db = db;
        Run = run;
    }

    public NetnsCluster Cluster { get; }
    public PostgresDatabase Db { get; }
    public RunContext Run { get; }
    public Node N1 => Cluster.Nodes[0];
    public Node N2 => Cluster.Nodes[1];
    public Node N3 => Cluster.Nodes[2];

    /// <summary>What teardown left behind (empty when everything was removed); set by <see cref="DisposeAsync"/>.</summary>
    public IReadOnlyList<string>? Leftover { get; private set; }

    /// <summary>Options of a PostgreSQL test with these database options (e.g. ("replication", "sync")) and a 2 s op timeout.</summary>
    public static TestOptions Options(params (string Name, string Value)[] databaseOptions) => new()
    {
        Database = "postgres",
        OpTimeout = TimeSpan.FromSeconds(2),
        DatabaseOptions = databaseOptions.ToImmutableSortedDictionary(o => o.Name, o => o.Value, StringComparer.Ordinal),
    };

    public static async Task<PostgresTestCluster> StartAsync(TestOptions? options = null)
    {
        var sw = Stopwatch.StartNew();
        await Capabilities.RequireAsync("ip", "iptables", "postgres");
        File.AppendAllText(LogPath, $"require {sw.ElapsedMilliseconds}\n");
        var before = await MachineSnapshot.TakeAsync();
        options = SuiteOptions.Resolve(new PostgresSuite(), options ?? Options());
        var cluster = (NetnsCluster)await new NetnsProvisioner(TextWriter.Null).ProvisionAsync(new ClusterSpec(3, ["postgresql-15"], "pg-test"), CancellationToken.None);
        File.AppendAllText(LogPath, $"provisioned {sw.ElapsedMilliseconds}\n");
        var db = new PostgresDatabase(PostgresSettings.From(options));
        var run = new RunContext
        {
            Options = options,
            Cluster = cluster,
            ResultDirectory = cluster.RunDirectory,
            Logger = new FileLogger(LogPath),
            Recorder = new HistoryRecorder(null, Stopwatch.StartNew()),
        };
        var result = new PostgresTestCluster(cluster, db, run) { _before = before };
        try
        {
            await db.SetupAsync(run, CancellationToken.None);
            File.AppendAllText(LogPath, $"setup {sw.ElapsedMilliseconds}\n");
        }
        catch
        {
            await result.DisposeAsync();
            throw;
        }
        return result;
    }

    /// <summary>PIDs of every process in the node namespaces now (to check later that none survived).</summary>
    public async Task RememberProcessesAsync()
    {
        foreach (var ns in Cluster.Namespaces)
        {
            var psi = new ProcessStartInfo("ip", ["netns", "pids", ns]) { RedirectStandardOutput = true };
            using var p = Process.Start(psi)!; // not shell-executed, so never null
            var output = await p.StandardOutput.ReadToEndAsync();
            await p.WaitForExitAsync();
            _pids.AddRange(output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse));
        }
    }

    public async Task<object?> QueryAsync(Node node, string sql)
    {
        await using var conn = new NpgsqlConnection(Db.ConnectionString(node));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return await cmd.ExecuteScalarAsync();
    }

    /// <summary>Polls until the condition holds (bounded at 30 s, so a broken cluster fails instead of hanging).</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                if (await condition()) return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException) { }
            await Task.Delay(100);
        }
        Assert.Fail($"never happened: {what}");
    }

    public async ValueTask DisposeAsync()
    {
        if (Leftover is not null) return;
        var sw = Stopwatch.StartNew();
        await RememberProcessesAsync();
        await Db.TeardownAsync(Run, CancellationToken.None);
        File.AppendAllText(LogPath, $"db teardown {sw.ElapsedMilliseconds}\n");
        Db.Dispose();
        await Cluster.DisposeAsync();
        Run.Recorder.Dispose();
        File.AppendAllText(LogPath, $"cluster teardown {sw.ElapsedMilliseconds}\n");
        Leftover = [.. await Leftovers.FindAsync(Cluster, _pids), .. await MachineSnapshot.NewSinceAsync(_before)];
    }
}
