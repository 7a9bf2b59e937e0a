using System.Collections.Immutable;
using Harness.Core.Databases;
using Microsoft.Extensions.Logging;

namespace Harness.Core.Running;

/// <summary>
/// Asks the database for its own view of replication lag (<see cref="IHasReplicationStatus"/>) at a fixed interval
/// while the test runs, and streams every answer to lag.jsonl (<see cref="LagLog"/>), stamped with the history's
/// clock. A sample is bounded by <see cref="SampleTimeout"/>; one that fails or times out (the primary is down,
/// paused or cut off) is skipped and counted, never an error of the run. Stopping (or the run's token) ends the
/// loop at once.
/// </summary>
public sealed class ReplicationSampler(
    Func<CancellationToken, Task<IReadOnlyList<ReplicaStatus>>> sample, Func<long> clockNanos, string? path, ILogger logger) : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly List<LagSample> _samples = [];
    private CancellationTokenSource? _cts;
    private Task? _loop;
    private StreamWriter? _file;
    private int _rounds;
    private int _failed;
    private bool _stopped;

    /// <summary>Time between the starts of two samples.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Bound for one sample; a slower one is skipped.</summary>
    public TimeSpan SampleTimeout { get; init; } = TimeSpan.FromSeconds(1.5);

    /// <summary>Every sample taken so far, in time order.</summary>
    public ImmutableArray<LagSample> Samples
    {
        get { lock (_lock) return [.. _samples]; }
    }

    /// <summary>How many times the database was asked.</summary>
    public int Rounds => Volatile.Read(ref _rounds);

    /// <summary>How many of those asks failed or timed out (skipped).</summary>
    public int Failed => Volatile.Read(ref _failed);

    /// <summary>True once <see cref="Start"/> ran.</summary>
    public bool Started => _loop is not null;

    /// <summary>Starts sampling in the background (once); the first sample is taken at once.</summary>
    public void Start(CancellationToken ct)
    {
        if (_loop is not null) return;
        if (path is not null)
        {
            try
            {
                _file = new StreamWriter(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                logger.LogError("cannot write {Path}: {Error}; replication status is kept for results.json only", path, e.Message);
            }
        }
        _cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var token = _cts.Token;
        _loop = Task.Run(() => LoopAsync(token), CancellationToken.None);
    }

    /// <summary>Stops sampling and waits for the sample in flight (bounded by <see cref="SampleTimeout"/>). Idempotent.</summary>
    public async Task StopAsync()
    {
        if (_loop is null || _cts is null || _stopped) return;
        _stopped = true;
        await _cts.CancelAsync();
        await _loop; // never throws: the loop catches everything
        int count;
        lock (_lock)
        {
            count = _samples.Count;
            try { _file?.Dispose(); }
            catch (IOException e) { logger.LogError("closing {Path} failed: {Error}", path, e.Message); }
            _file = null;
        }
        if (logger.IsEnabled(LogLevel.Information))
            logger.LogInformation("replication status: {Samples} samples in {Rounds} rounds, {Failed} rounds failed or timed out", count, Rounds, Failed);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _cts?.Dispose();
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            do
            {
                await SampleOnceAsync(ct);
            }
            while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // stopped
        }
    }

    private async Task SampleOnceAsync(CancellationToken ct)
    {
        Interlocked.Increment(ref _rounds);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(SampleTimeout);
        var before = clockNanos();
        IReadOnlyList<ReplicaStatus> statuses;
        try
        {
            // WaitAsync bounds a source that does not honour its token, too
            statuses = await sample(bound.Token).WaitAsync(SampleTimeout, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Interlocked.Decrement(ref _rounds); // stopped while asking: not a failed sample
            throw;
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref _failed);
            if (logger.IsEnabled(LogLevel.Debug)) logger.LogDebug("replication status sample skipped: {Error}", e.Message);
            return;
        }
        // the middle of the ask: the database answered somewhere in between
        var at = before + ((clockNanos() - before) / 2);
        lock (_lock)
        {
            foreach (var status in statuses)
            {
                var s = LagSample.Of(at, status);
                _samples.Add(s);
                _file?.WriteLine(LagLog.Line(s));
            }
            try { _file?.Flush(); }
            catch (IOException e)
            {
                logger.LogError("writing {Path} failed: {Error}; replication status is kept for results.json only", path, e.Message);
                _file = null;
            }
        }
    }
}
