using Harness.Checkers.Cycles;
using Harness.Checkers.Sessions;
using Harness.Core.Checking;
using Harness.Core.Histories;

namespace Harness.Checkers.Tests.Cycles;

/// <summary>
/// Random concurrent list-append histories from an atomic store (each transaction takes effect at its
/// completion, inside its interval; failed ones never, info ones maybe), so they are strict serializable and
/// keep every session guarantee; then one read is made stale, which must be caught.
/// </summary>
public sealed class GeneratedHistoryTests
{
    private static List<Operation> Generate(int seed, int txns = 400, int keys = 12, int processes = 8)
    {
        var random = new Random(seed);
        var lists = new List<long>[keys];
        for (var k = 0; k < keys; k++) lists[k] = [];
        var next = new long[keys];
        var open = new Dictionary<int, (bool Append, int Key, long Value)[]>();
        var workers = Enumerable.Range(0, processes).ToArray(); // worker -> current process id
        var nextProcess = processes;
        var ops = new List<Operation>();
        int invoked = 0, time = 0;
        while (invoked < txns || open.Count > 0)
        {
            var w = random.Next(processes);
            var p = workers[w];
            if (!open.TryGetValue(p, out var mops))
            {
                if (invoked == txns) continue;
                mops = new (bool, int, long)[1 + random.Next(4)];
                for (var i = 0; i < mops.Length; i++)
                {
                    var k = random.Next(keys);
                    mops[i] = random.Next(2) == 0 ? (true, k, ++next[k]) : (false, k, 0);
                }
                open[p] = mops;
                invoked++;
                ops.Add(new Operation(OpType.Invoke, p, "txn", Value(mops, null)) { TimeNanos = time++ });
                continue;
            }
            open.Remove(p);
            var outcome = random.Next(20) switch { 0 => OpType.Fail, 1 => OpType.Info, _ => OpType.Ok };
            var applied = outcome == OpType.Ok || (outcome == OpType.Info && random.Next(2) == 0);
            var reads = new long[mops.Length][];
            if (applied)
                for (var i = 0; i < mops.Length; i++)
                {
                    if (mops[i].Append) lists[mops[i].Key].Add(mops[i].Value);
                    else reads[i] = [.. lists[mops[i].Key]];
                }
            ops.Add(new Operation(outcome, p, "txn", outcome == OpType.Ok ? Value(mops, reads) : Value(mops, null)) { TimeNanos = time++ });
            if (outcome == OpType.Info) workers[w] = nextProcess++;
        }
        return ops;
    }

    private static Datum Value((bool Append, int Key, long Value)[] mops, long[][]? reads) =>
        Datum.Vec(mops.Select((m, i) => m.Append
            ? Datum.Vec(Datum.Of("append"), Datum.Of(m.Key), Datum.Of(m.Value))
            : Datum.Vec(Datum.Of("r"), Datum.Of(m.Key), reads is null ? Datum.Nil : Datum.Vec(reads[i].Select(Datum.Of)))));

    /// <summary>Finds a process that read a key with L >= 1 elements and later read it again; cuts the later read to L-1.</summary>
    private static List<Operation> MakeStale(List<Operation> ops)
    {
        var firstRead = new Dictionary<(int Process, long Key), int>();
        for (var i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            if (!op.IsOk) continue;
            for (var m = 0; m < op.Value!.Count; m++)
            {
                var mop = op.Value[m];
                if (mop[0].AsName() != "r") continue;
                var key = mop[1].AsLong();
                if (firstRead.TryGetValue((op.Process, key), out var earlier) && earlier >= 1 && IsFirstAccess(op.Value, m))
                {
                    var items = op.Value.Items.ToArray();
                    items[m] = Datum.Vec(mop[0], mop[1], Datum.Vec(mop[2].Items.Take(earlier - 1)));
                    var copy = ops.ToList();
                    copy[i] = op with { Value = Datum.Vec(items) };
                    return copy;
                }
                if (IsFirstAccess(op.Value, m)) firstRead.TryAdd((op.Process, key), mop[2].Count);
            }
        }
        throw new InvalidOperationException("no process read a key twice; change the seed");
    }

    private static bool IsFirstAccess(Datum txn, int m) => !txn.Items.Take(m).Any(x => x[1].Equals(txn[m][1]));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Should_Accept_Atomic_Histories_And_Catch_One_Stale_Read(int seed)
    {
        // Given a random history from an atomic store, and a copy with one stale re-read in some session
        var ops = Generate(seed);
        var stale = MakeStale(ops);

        // When both are checked for strict serializability and for the session guarantees
        var strict = new ListAppendChecker(ConsistencyModels.StrictSerializable);
        var sessions = new SessionGuaranteesChecker();
        var good = (strict.Check(new History(ops), CancellationToken.None), sessions.Check(new History(ops), CancellationToken.None));
        var bad = (strict.Check(new History(stale), CancellationToken.None), sessions.Check(new History(stale), CancellationToken.None));

        // Then the original passes both and the stale copy fails both
        Assert.True(good.Item1.IsValid, good.Item1.Summary);
        Assert.True(good.Item2.IsValid, good.Item2.Summary);
        Assert.Equal(Validity.Invalid, bad.Item1.Validity);
        Assert.Contains(bad.Item2.Anomalies, a => a.Type == "monotonic-reads");
    }
}
