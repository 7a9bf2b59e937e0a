using System.Diagnostics;
using Harness.Core.Checking;
using Harness.Core.Control;
using Harness.Core.Databases;
using Harness.Core.Generators;
using Harness.Core.Histories;
using Microsoft.Extensions.Logging;
using Harness.Core.Runs;

namespace Harness.Core.Running;

/// <summary>
/// Runs one composed test (Jepsen's run!): database setup, client setup, nemesis setup, the client workers and
/// the nemesis worker through the phases main (time-limited workload + faults), heal, recovery and final
/// reads; then, in <c>finally</c>, heal, client teardown, log collection, database teardown (unless
/// --leave-db-running) and cluster disposal. The history is streamed to history.jsonl as it happens; the
/// checker runs on whatever was recorded (a crash becomes Unknown) and results.json is written.
/// Cancelling the token (Ctrl-C) stops generating at once; everything after that still runs.
/// </summary>
public sealed class TestRunner(ILogger logger, RunStats? stats = null)
{
    /// <summary>Bound for each cleanup step after the run (heal, teardown, log collection...).</summary>
    public TimeSpan CleanupTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Bound for the checker after an interrupted run.</summary>
    public TimeSpan InterruptedCheckTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How often history.jsonl is flushed during the run.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How often a database with <see cref="IHasReplicationStatus"/> is asked for its replication lag (lag.jsonl).</summary>
    public TimeSpan ReplicationStatusInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    public RunStats Stats { get; } = stats ?? new RunStats();

    /// <summary>Runs the test on <paramref name="cluster"/> (which it disposes) and writes into <paramref name="runDirectory"/>.</summary>
    public async Task<RunResult> RunAsync(TestSpec spec, ICluster cluster, string runDirectory, CancellationToken ct)
    {
        // The cluster is owned from the first line: whatever fails before the run's own cleanup takes over
        // (the run directory, the history file) still tears it down.
        var cleanupOwnsCluster = false;
        try
        {
            return await RunOwnedAsync(spec, cluster, runDirectory, () => cleanupOwnsCluster = true, ct);
        }
        finally
        {
            if (!cleanupOwnsCluster) await cluster.DisposeAsync();
        }
    }

    private async Task<RunResult> RunOwnedAsync(TestSpec spec, ICluster cluster, string runDirectory, Action handOver, CancellationToken ct)
    {
        Directory.CreateDirectory(runDirectory);
        var start = DateTimeOffset.UtcNow;
        ResultStore.WriteTest(runDirectory, spec, start);
        var options = spec.Options;
        if (logger.IsEnabled(LogLevel.Information))
            logger.LogInformation("test {Name}: seed {Seed}, {Concurrency} workers on {Nodes} nodes, {Limit}s", spec.Name, options.Seed,
                options.Concurrency, cluster.Nodes.Length, options.TimeLimit.TotalSeconds);
        using var recorder = new HistoryRecorder(Path.Combine(runDirectory, ResultStore.HistoryFile), Stopwatch.StartNew(), flushEachOperation: false);
        var run = new RunContext { Options = options, Cluster = cluster, ResultDirectory = runDirectory, Logger = logger, Recorder = recorder };
        var nemesis = spec.Nemesis;
        Exception? crash = null;
        var interrupted = false;
        var dbStarted = false;
        using var flusher = new Timer(_ => SafeFlush(recorder), null, FlushInterval, FlushInterval);
        // The database's own view of its replication lag, from the start of the main phase to the end of the final one.
        await using var sampler = spec.Database is IHasReplicationStatus status
            ? new ReplicationSampler(c => status.ReplicationStatusAsync(run, c), () => recorder.NowNanos, Path.Combine(runDirectory, LagLog.FileName), logger)
            { Interval = ReplicationStatusInterval }
            : null;
        handOver(); // the finally below tears the cluster down from here on
        try
        {
            Stats.Phase = "setup";
            dbStarted = true;
            await spec.Database.SetupAsync(run, ct);
            await SetupClientsAsync(spec, run, ct);
            await nemesis.Nemesis.SetupAsync(run, ct);
            // The interpreter's loop runs on the thread pool, never on a caller's synchronization context
            // (a test framework's context would serialize its continuations behind other work).
            await Task.Run(() => RunPhasesAsync(spec, run, sampler, ct), CancellationToken.None);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            interrupted = true;
        }
        catch (Exception e) when (e is not (UserErrorException or ProvisioningException))
        {
            crash = e;
            logger.LogError(e, "the run crashed: {Message}", e.Message);
        }
        finally
        {
            if (ct.IsCancellationRequested) interrupted = true;
            if (interrupted) logger.LogWarning("interrupted: stopping, healing and tearing down");
            Stats.Phase = "teardown";
            await CleanupAsync(spec, run, cluster, dbStarted, recordHeal: interrupted || crash is not null);
            SafeFlush(recorder);
        }

        Stats.Phase = "checking";
        var history = recorder.ToHistory();
        var result = Check(spec, history, interrupted, crash, sampler is { Started: true } ? [ReplicationSummary.From(sampler.Samples, sampler.Failed)] : []);
        ResultStore.WriteResults(runDirectory, result);
        Stats.Phase = "done";
        if (logger.IsEnabled(LogLevel.Information))
            logger.LogInformation("verdict: {Validity}: {Summary}", result.Validity.Word(), result.Summary);
        return new RunResult { Check = result, Directory = runDirectory, EventCount = history.Count, Interrupted = interrupted, Crash = crash };
    }

    private async Task RunPhasesAsync(TestSpec spec, RunContext run, ReplicationSampler? sampler, CancellationToken ct)
    {
        var options = spec.Options;
        var seed = options.Seed;
        var random = new Random(unchecked((int)(seed ^ (seed >> 32))));
        await using var interpreter = new Interpreter(spec, run, spec.Nemesis.Nemesis, Stats, random, ct);
        // Each completed phase is recorded in the run directory, so that a killed run is not judged as finished.
        void Done(string phase) { if (!ct.IsCancellationRequested) ResultStore.MarkPhaseDone(run.ResultDirectory, phase); }
        try
        {
            var main = Gen.Any(
                Gen.OnClients(Gen.Rate(options.Rate, spec.Workload.Generator)),
                Gen.OnNemesis(spec.Nemesis.Generator));
            Stats.Phase = "main";
            sampler?.Start(ct);
            await interpreter.RunAsync(Gen.TimeLimit(options.TimeLimit, main));
            Done("main");
            if (!spec.Nemesis.Faults.IsEmpty)
            {
                Stats.Phase = "heal";
                await interpreter.RunAsync(Gen.OnNemesis(spec.Nemesis.Final));
                Done("heal");
                Stats.ClearFaults();
                Stats.Phase = "recovery";
                await interpreter.RunAsync(Gen.Sleep(options.RecoveryTime));
            }
            if (spec.Workload.Final is { } final)
            {
                Stats.Phase = "final";
                await interpreter.RunAsync(Gen.OnClients(final));
                Done("final");
            }
            if (sampler is not null) await sampler.StopAsync();
            if (spec.Database is IHasNodeStates states) await RecordNodeStatesAsync(states, run, ct);
        }
        finally
        {
            if (sampler is not null) await sampler.StopAsync();
            if (ct.IsCancellationRequested) await interpreter.DrainAfterStopAsync(options.OpTimeout + TimeSpan.FromSeconds(2));
        }
        ct.ThrowIfCancellationRequested();
    }

    /// <summary>The convergence reads: after the settle time, every node's own state as one nemesis op per node.</summary>
    private async Task RecordNodeStatesAsync(IHasNodeStates states, RunContext run, CancellationToken ct)
    {
        Stats.Phase = "convergence";
        await Task.Delay(states.SettleTime, ct);
        foreach (var node in run.Nodes)
        {
            var invoke = run.Recorder.Record(Operation.Invoke(Operation.NemesisProcess, IHasNodeStates.F, Datum.Map([new(Datum.Of("node"), Datum.Of(node.Name))])) with { Node = node.Name });
            var done = invoke with { Index = -1, TimeNanos = -1 };
            try
            {
                var state = await states.ReadStateAsync(run, node, ct);
                done = done with { Type = OpType.Ok, Value = Datum.Map([new(Datum.Of("node"), Datum.Of(node.Name)), new(Datum.Of("state"), state)]) };
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                done = done.Fail(e.Message);
            }
            run.Recorder.Record(done);
        }
    }

    private static async Task SetupClientsAsync(TestSpec spec, RunContext run, CancellationToken ct)
    {
        foreach (var node in run.Nodes)
        {
            var client = await spec.OpenClient(run, node, ct);
            await using (client) await client.SetupAsync(ct);
        }
    }

    private async Task CleanupAsync(TestSpec spec, RunContext run, ICluster cluster, bool dbStarted, bool recordHeal)
    {
        // A run stopped before its heal phase records this heal like other nemesis ops (the report closes the faults).
        var heal = recordHeal && !spec.Nemesis.Faults.IsEmpty ? run.Recorder.Record(new Operation(OpType.Invoke, Operation.NemesisProcess, "heal", null)) : null;
        var healed = await StepAsync("heal", ct => spec.Nemesis.Nemesis.TeardownAsync(run, ct));
        if (heal is not null) run.Recorder.Record(healed ? heal with { Type = OpType.Info, TimeNanos = -1 } : heal.Info("heal failed") with { TimeNanos = -1 });
        Stats.ClearFaults();
        if (dbStarted)
        {
            await StepAsync("client teardown", async ct =>
            {
                var client = await spec.OpenClient(run, run.Nodes[0], ct);
                await using (client) await client.TeardownAsync(ct);
            });
            await StepAsync("log collection", ct => CollectLogsAsync(spec, run, ct));
            if (spec.Options.LeaveDbRunning)
            {
                logger.LogWarning("--leave-db-running: the database and the cluster are left as they are");
                return;
            }
            await StepAsync("database teardown", ct => spec.Database.TeardownAsync(run, ct));
        }
        await StepAsync("cluster teardown", _ => cluster.DisposeAsync().AsTask());
    }

    private async Task<bool> StepAsync(string name, Func<CancellationToken, Task> step)
    {
        using var cts = new CancellationTokenSource(CleanupTimeout);
        try
        {
            await step(cts.Token).WaitAsync(CleanupTimeout + TimeSpan.FromSeconds(5));
            if (logger.IsEnabled(LogLevel.Information)) logger.LogInformation("{Step}: done", name);
            return true;
        }
        catch (Exception e)
        {
            logger.LogError("{Step} failed: {Error}", name, e is AggregateException a ? string.Join("; ", a.InnerExceptions.Select(x => x.Message)) : e.Message);
            return false;
        }
    }

    /// <summary>Copies every file under each node's log directory, and the database's own log files, through the
    /// node's remote into results/&lt;run&gt;/logs/&lt;node&gt;/ (so it works the same on every provisioner).</summary>
    private static async Task CollectLogsAsync(TestSpec spec, RunContext run, CancellationToken ct)
    {
        foreach (var node in run.Nodes)
        {
            ct.ThrowIfCancellationRequested();
            var remote = run.Remote(node);
            var target = Path.Combine(run.ResultDirectory, "logs", node.Name);
            var logDir = remote.LogDirectory.TrimEnd('/') + "/";
            var files = new List<string>(await remote.ListFilesAsync(remote.LogDirectory, ct));
            if (spec.Database is IHasLogFiles withLogs) files.AddRange(withLogs.LogFiles(run, node));
            foreach (var file in files.Distinct())
            {
                var rel = file.StartsWith(logDir, StringComparison.Ordinal) ? file[logDir.Length..] : Path.GetFileName(file);
                var dest = Path.Combine(target, rel);
                Directory.CreateDirectory(Path.GetDirectoryName(dest)!); // a combined path has a directory
                try { await remote.DownloadAsync(file, dest, ct); }
                catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { }
            }
        }
    }

    private CheckResult Check(TestSpec spec, History history, bool interrupted, Exception? crash, IReadOnlyList<CheckResult> informational)
    {
        using var cts = interrupted ? new CancellationTokenSource(InterruptedCheckTimeout) : new CancellationTokenSource();
        return CheckHistory(spec.Name, spec.Workload.Checker, history, interrupted, crash, cts.Token, informational);
    }

    /// <summary>
    /// The verdict of a run: the workload's checker (a crash becomes Unknown), the history rules (a violation
    /// is Unknown: a harness or client bug, not the database's), and the run's own crash; an interrupted run
    /// is at best Unknown. Also used to re-check a stored run. <paramref name="informational"/> results computed
    /// from beside the history (e.g. <see cref="ReplicationSummary"/> from lag.jsonl) are listed after the workload's.
    /// </summary>
    public static CheckResult CheckHistory(string name, IChecker checker, History history, bool interrupted, Exception? crash, CancellationToken ct,
        IReadOnlyList<CheckResult>? informational = null)
    {
        // A workload composed of several checkers (e.g. session guarantees and visibility) lists each at the top.
        var workload = Checkers.CheckSafe(checker, history, ct);
        var results = workload.Children.IsDefaultOrEmpty ? new List<CheckResult> { workload } : [.. workload.Children];
        if (informational is not null) results.AddRange(informational);
        var problems = history.Validate();
        if (problems.Count > 0)
        {
            results.Add(new CheckResult
            {
                Checker = "history-rules",
                Validity = Validity.Unknown,
                Summary = $"{problems.Count} violations of the history rules (a harness or client bug): {problems[0]}",
                Anomalies = [.. problems.Take(100).Select(p => new Anomaly { Type = "history-rule", Explanation = p })],
            });
        }
        if (!history.ClientOps.Any())
            results.Add(CheckResult.Unknown("history-rules", "no client operations were recorded, so there is nothing to check"));
        if (crash is not null)
            results.Add(CheckResult.Unknown("harness", $"the run crashed: {crash.GetType().Name}: {crash.Message}"));
        var merged = Checkers.Merge(name, results);
        if (interrupted && merged.Validity == Validity.Valid)
            merged = merged with { Validity = Validity.Unknown, Summary = $"interrupted; the {history.Count} events recorded are consistent" };
        return merged;
    }

    private void SafeFlush(HistoryRecorder recorder)
    {
        try { recorder.Flush(); }
        catch (ObjectDisposedException) { }
        catch (IOException e) { logger.LogError("flushing history.jsonl failed: {Error}", e.Message); }
    }
}
