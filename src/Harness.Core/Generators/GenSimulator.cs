using System.Collections.Immutable;
using Harness.Core.Histories;

namespace Harness.Core.Generators;

/// <summary>
/// Runs a generator in virtual time, with the same rules as the test runner's interpreter, so schedules can be
/// unit-tested: ops start when the generator says (never before), each completes after
/// <see cref="Latency"/>, and <see cref="Complete"/> decides its outcome (Ok by default; an Info moves the
/// worker to a new process, process + concurrency).
/// </summary>
public sealed class GenSimulator
{
    /// <summary>Number of client workers.</summary>
    public required int Concurrency { get; init; }

    /// <summary>Whether a nemesis thread exists.</summary>
    public bool Nemesis { get; init; } = true;

    public long Seed { get; init; }

    /// <summary>How long each op takes, in virtual time.</summary>
    public TimeSpan Latency { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>How far virtual time moves when the generator is pending and nothing is in flight.</summary>
    public TimeSpan Tick { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Stops the simulation at this virtual time (a guard against endless generators).</summary>
    public TimeSpan MaxTime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Stops after this many invocations (a guard against endless generators).</summary>
    public int MaxOps { get; init; } = 100_000;

    /// <summary>Turns an invocation into its completion; null means Ok with the invocation's value.</summary>
    public Func<Operation, Operation>? Complete { get; init; }

    public ImmutableArray<string> Nodes { get; init; } = ["n1", "n2", "n3"];

    /// <summary>Runs the generator until it is exhausted and every op completed; returns the history.</summary>
    public History Run(IGenerator gen)
    {
        var random = new Random(unchecked((int)(Seed ^ (Seed >> 32))));
        var history = new List<Operation>();
        var threadProcess = new int[Concurrency];
        for (var i = 0; i < Concurrency; i++) threadProcess[i] = i;
        var free = new SortedSet<int>(Enumerable.Range(0, Concurrency));
        if (Nemesis) free.Add(Operation.NemesisProcess);
        var inFlight = new PriorityQueue<Operation, (long Time, long Seq)>();
        long seq = 0, now = 0, invocations = 0;
        var latency = Gen.NanosOf(Latency);
        var tick = Gen.NanosOf(Tick);
        var maxTime = Gen.NanosOf(MaxTime);

        GenContext Context() => new()
        {
            TimeNanos = now,
            FreeProcesses = [.. free],
            Concurrency = Concurrency,
            Random = random,
            Nodes = Nodes,
            NemesisVisible = Nemesis,
        };

        void CompleteNext()
        {
            var invoke = inFlight.Dequeue();
            var at = (Time: invoke.TimeNanos + latency, 0);
            now = Math.Max(now, at.Time);
            var done = Complete?.Invoke(invoke) ?? invoke.Ok();
            if (invoke.IsNemesis && !done.IsInfo) done = done with { Type = OpType.Info };
            done = done with { TimeNanos = now, Index = history.Count };
            history.Add(done);
            if (done.IsClient && done.IsInfo)
            {
                var thread = done.Process % Concurrency;
                threadProcess[thread] = done.Process + Concurrency;
                free.Add(threadProcess[thread]);
            }
            else
            {
                free.Add(done.Process);
            }
            gen = gen.Update(Context(), done);
        }

        while (now <= maxTime && invocations < MaxOps)
        {
            while (inFlight.TryPeek(out _, out var t) && t.Time <= now) CompleteNext();
            switch (gen.Next(Context()))
            {
                case GenStep.Exhausted:
                    if (inFlight.Count == 0) return new History(history);
                    CompleteNext();
                    break;
                case GenStep.Pending p:
                    gen = p.Next;
                    var wakeAt = p.WakeNanos > now ? Math.Min(p.WakeNanos, now + tick) : now + tick;
                    if (inFlight.TryPeek(out _, out var next) && next.Time <= wakeAt) CompleteNext();
                    else now = wakeAt;
                    break;
                case GenStep.Emit e when e.Op.TimeNanos > now:
                    if (inFlight.TryPeek(out _, out var soon) && soon.Time <= e.Op.TimeNanos) CompleteNext();
                    else now = e.Op.TimeNanos;
                    break;
                case GenStep.Emit e:
                    if (!free.Remove(e.Op.Process))
                        throw new InvalidOperationException($"generator emitted {e.Op} for a busy or unknown process");
                    var invoke = e.Op with { TimeNanos = now, Index = history.Count };
                    history.Add(invoke);
                    invocations++;
                    inFlight.Enqueue(invoke, (now + latency, seq++));
                    gen = e.Next;
                    break;
            }
        }
        return new History(history);
    }
}
