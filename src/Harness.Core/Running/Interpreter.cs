using System.Collections.Immutable;
using System.Threading.Channels;
using Harness.Core.Generators;
using Harness.Core.Histories;
using Harness.Core.Nemeses;
using Microsoft.Extensions.Logging;
using Harness.Core.Runs;

namespace Harness.Core.Running;

/// <summary>
/// Drives a generator against real workers (Jepsen's generator interpreter). A single loop asks the generator
/// for the next op, waits until its start time, records the invocation and hands it to the free worker;
/// completions come back through a channel and are recorded by the same loop, so the history's order is the
/// loop's view (an op is never shown completing before it was invoked).
/// </summary>
internal sealed class Interpreter : IAsyncDisposable
{
    private static readonly TimeSpan PendingPoll = TimeSpan.FromMilliseconds(10);

    private readonly RunContext _run;
    private readonly RunStats _stats;
    private readonly Random _random;
    private readonly ClientWorker[] _clients;
    private readonly NemesisWorker _nemesis;
    private readonly Channel<Operation> _completions =
        Channel.CreateUnbounded<Operation>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
    private readonly ImmutableArray<string> _nodeNames;
    private readonly CancellationToken _stop;
    private CancellationTokenSource _waitCts;
    private ImmutableArray<int> _free;
    private bool _freeDirty = true;
    private int _inFlight;

    public Interpreter(TestSpec spec, RunContext run, INemesis nemesis, RunStats stats, Random random, CancellationToken stop)
    {
        _run = run;
        _stats = stats;
        _random = random;
        _stop = stop;
        _waitCts = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var concurrency = Math.Max(1, spec.Options.Concurrency);
        var nodes = run.Nodes;
        _clients = [.. Enumerable.Range(0, concurrency).Select(i => new ClientWorker(i, nodes[i % nodes.Length], run,
            spec.OpenClient, spec.Options.OpTimeout, _completions.Writer, stop))];
        _nemesis = new NemesisWorker(nemesis, run, TimeSpan.FromMinutes(2), _completions.Writer, stop);
        _nodeNames = [.. nodes.Select(n => n.Name)];
    }

    public int Concurrency => _clients.Length;

    public int InFlight => _inFlight;

    /// <summary>Runs <paramref name="gen"/> until it is exhausted and every op it started has completed, or until the stop token fires.</summary>
    public async Task RunAsync(IGenerator gen)
    {
        while (!_stop.IsCancellationRequested)
        {
            gen = Drain(gen);
            var ctx = Context();
            switch (gen.Next(ctx))
            {
                case GenStep.Exhausted:
                    if (_inFlight == 0) return;
                    await WaitAsync(ctx.TimeNanos + Gen.NanosOf(PendingPoll));
                    break;
                case GenStep.Pending p:
                    gen = p.Next;
                    await WaitAsync(Math.Min(p.WakeNanos, ctx.TimeNanos + Gen.NanosOf(PendingPoll)));
                    break;
                case GenStep.Emit e when e.Op.TimeNanos > ctx.TimeNanos:
                    // Ask again at the op's time at the latest, and sooner (poll) in case another generator
                    // (e.g. the nemesis beside slow clients) becomes due first.
                    await WaitAsync(Math.Min(e.Op.TimeNanos, ctx.TimeNanos + Gen.NanosOf(PendingPoll)));
                    break;
                case GenStep.Emit e:
                    Dispatch(e.Op);
                    gen = e.Next;
                    break;
            }
        }
    }

    /// <summary>After a stop: waits (bounded) for the ops still running, recording their completions.</summary>
    public async Task DrainAfterStopAsync(TimeSpan max)
    {
        var deadline = DateTime.UtcNow + max;
        while (_inFlight > 0 && DateTime.UtcNow < deadline)
        {
            while (_completions.Reader.TryRead(out var done)) Complete(done);
            if (_inFlight == 0) break;
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
            try { await _completions.Reader.WaitToReadAsync(cts.Token); }
            catch (OperationCanceledException) { }
        }
        if (_inFlight > 0)
            _run.Logger.LogWarning("{Count} operations were still running at the end; their invocations stay open (unknown outcome)", _inFlight);
    }

    private GenContext Context()
    {
        if (_freeDirty)
        {
            var builder = ImmutableArray.CreateBuilder<int>(_clients.Length + 1);
            foreach (var w in _clients)
                if (!w.Busy) builder.Add(w.Process);
            if (!_nemesis.Busy) builder.Add(Operation.NemesisProcess);
            _free = builder.ToImmutable();
            _freeDirty = false;
        }
        return new GenContext
        {
            TimeNanos = _run.Recorder.NowNanos,
            FreeProcesses = _free,
            Concurrency = _clients.Length,
            Random = _random,
            Nodes = _nodeNames,
        };
    }

    private void Dispatch(Operation op)
    {
        if (op.IsNemesis)
        {
            if (_nemesis.Busy) throw new InvalidOperationException($"generator emitted {op} while the nemesis is busy");
            var invoke = _run.Recorder.Record(op with { Type = OpType.Invoke, TimeNanos = -1 });
            _nemesis.Busy = true;
            _freeDirty = true;
            _inFlight++;
            _stats.Invoke(invoke);
            _nemesis.Start(invoke);
            return;
        }
        var worker = op.Process >= 0 ? _clients[op.Process % _clients.Length] : null;
        if (worker is null || worker.Busy || worker.Process != op.Process)
            throw new InvalidOperationException($"generator emitted {op} for a busy or unknown process");
        var recorded = _run.Recorder.Record(op with { Type = OpType.Invoke, TimeNanos = -1, Node = worker.Node.Name });
        worker.Busy = true;
        _freeDirty = true;
        _inFlight++;
        _stats.Invoke(recorded);
        worker.Start(recorded);
    }

    private IGenerator Drain(IGenerator gen)
    {
        if (!_completions.Reader.TryRead(out var done)) return gen;
        do
        {
            var recorded = Complete(done);
            gen = gen.Update(Context(), recorded);
        } while (_completions.Reader.TryRead(out done));
        return gen;
    }

    private Operation Complete(Operation done)
    {
        var recorded = _run.Recorder.Record(done);
        _inFlight--;
        _freeDirty = true;
        _stats.Complete(recorded);
        if (recorded.IsNemesis)
        {
            _nemesis.Busy = false;
            if (recorded.Error is not null)
                _run.Logger.LogWarning("nemesis {F} did not complete cleanly: {Error}", recorded.F, recorded.Error);
            else if (_run.Logger.IsEnabled(LogLevel.Information))
                _run.Logger.LogInformation("nemesis {F}: {Value}", recorded.F, recorded.Value);
        }
        else
        {
            var worker = _clients[recorded.Process % _clients.Length];
            if (recorded.IsInfo) worker.Process += _clients.Length; // a crashed process never comes back
            worker.Busy = false;
        }
        return recorded;
    }

    private async Task WaitAsync(long untilNanos)
    {
        if (_completions.Reader.TryPeek(out _)) return;
        var delayNanos = untilNanos - _run.Recorder.NowNanos;
        if (delayNanos <= 0) return;
        _waitCts.CancelAfter(TimeSpan.FromTicks(Math.Max(1, delayNanos / 100)));
        try
        {
            await _completions.Reader.WaitToReadAsync(_waitCts.Token);
        }
        catch (OperationCanceledException)
        {
            // the wait is over (or the run stopped: the loop checks)
        }
        if (!_waitCts.TryReset())
        {
            _waitCts.Dispose();
            _waitCts = CancellationTokenSource.CreateLinkedTokenSource(_stop);
        }
    }

    /// <summary>Closes every worker's client (bounded per client).</summary>
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_clients.Select(w => w.CloseClientAsync()));
        _waitCts.Dispose();
    }
}
