using Harness.Core.Control;
using Harness.Core.Histories;
using Harness.Core.Runs;
using Microsoft.Extensions.Logging;

namespace Harness.Core.Databases;

/// <summary>
/// The loop of a naive failover manager (<c>--failover promote</c>) for a single-leader database, shared by the
/// adapters: every 250 ms it lets the adapter re-point its replicas at the current primary and judge the
/// primary's health; once the primary has been unhealthy for <c>failoverAfter</c> (and no promotion happened in
/// the last 2 × <c>failoverAfter</c>, so a new primary gets time to settle) it asks the adapter to promote a
/// replica. What "healthy", "re-point" and "promote" mean is the database's; errors are logged and the loop goes on.
/// </summary>
public sealed class FailoverLoop(string database, TimeSpan failoverAfter, FailoverLoop.Steps steps) : IDisposable
{
    /// <summary>What the adapter does at each step.</summary>
    /// <param name="Primary">The current primary (null while none is known).</param>
    /// <param name="RepointReplicasAsync">Points replicas that follow another node at the primary (and rebuilds fenced ones).</param>
    /// <param name="PrimaryHealthyAsync">Whether the primary answers and replicas still hear from it.</param>
    /// <param name="TryPromoteAsync">Promotes the best replica in place of the old primary; true when it did.</param>
    public sealed record Steps(
        Func<Node?> Primary,
        Func<RunContext, Node, CancellationToken, Task> RepointReplicasAsync,
        Func<Node, CancellationToken, Task<bool>> PrimaryHealthyAsync,
        Func<RunContext, Node, CancellationToken, Task<bool>> TryPromoteAsync);

    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);
    private readonly CancellationTokenSource _cts = new();
    private Task? _task;
    private DateTime _promotedAt = DateTime.MinValue;

    /// <summary>How many promotions were made (for tests and the log).</summary>
    public int Promotions { get; private set; }

    public void Start(RunContext run) => _task ??= Task.Run(() => LoopAsync(run, _cts.Token), CancellationToken.None);

    /// <summary>Stops the loop and waits for the step in progress to end.</summary>
    public async Task StopAsync()
    {
        if (_task is null) return;
        await _cts.CancelAsync();
        try { await _task; }
        catch (OperationCanceledException) { }
        _task = null;
    }

    /// <summary>Stops the loop without waiting (<see cref="StopAsync"/> waits).</summary>
    public void Dispose()
    {
        _cts.Cancel();
        _cts.Dispose();
    }

    private async Task LoopAsync(RunContext run, CancellationToken ct)
    {
        DateTime? downSince = null;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Tick, ct);
                if (steps.Primary() is not { } primary) continue;
                await steps.RepointReplicasAsync(run, primary, ct);
                if (DateTime.UtcNow - _promotedAt < failoverAfter * 2 || await steps.PrimaryHealthyAsync(primary, ct))
                {
                    downSince = null;
                    continue;
                }
                downSince ??= DateTime.UtcNow;
                if (DateTime.UtcNow - downSince < failoverAfter) continue;
                if (!await steps.TryPromoteAsync(run, primary, ct)) continue;
                downSince = null;
                _promotedAt = DateTime.UtcNow;
                Promotions++;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                run.Logger.LogWarning("{Database} failover manager: {Error}", database, e.Message);
            }
        }
    }

    /// <summary>Records a promotion as a nemesis op <c>promote</c> (info: from, to, nodes = [to], fenced, and
    /// the database's own <paramref name="position"/> figure, e.g. the LSN or GTID it was chosen for).</summary>
    public static void RecordPromotion(RunContext run, Node old, Node promoted, bool fenced, (string Name, Datum Value)? position = null)
    {
        var invoke = run.Recorder.Record(Operation.Invoke(Operation.NemesisProcess, "promote", Datum.Map([new(Datum.Of("from"), Datum.Of(old.Name))])));
        List<KeyValuePair<Datum, Datum>> value =
        [
            new(Datum.Of("from"), Datum.Of(old.Name)),
            new(Datum.Of("to"), Datum.Of(promoted.Name)),
            new(Datum.Of("nodes"), Datum.Vec(Datum.Of(promoted.Name))),
        ];
        if (position is var (name, figure)) value.Add(new(Datum.Of(name), figure));
        value.Add(new(Datum.Of("fenced"), Datum.Of(fenced)));
        run.Recorder.Record(invoke with { Type = OpType.Info, Index = -1, TimeNanos = -1, Value = Datum.Map([.. value]) });
    }
}
