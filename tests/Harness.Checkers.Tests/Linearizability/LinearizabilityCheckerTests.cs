using Harness.Checkers.Linearizability;
using Harness.Core.Checking;
using Harness.Core.Histories;

namespace Harness.Checkers.Tests.Linearizability;

public sealed class LinearizabilityCheckerTests
{
    private static CheckResult Check(string model, History h, TimeSpan? timeout = null) =>
        Harness.Core.Checking.Checkers.CheckSafe(new LinearizabilityChecker(LinearizabilityModels.ByName(model), timeout), h, CancellationToken.None);

    [Fact]
    public void Should_BeValid_When_AReadOverlapsAWriteAndSeesEitherValue()
    {
        // Given a read concurrent with a write of 2 after a write of 1
        var h = new Ops().Invoke(0, "write", 1).Ok(0).Invoke(1, "write", 2).Invoke(2, "read").Ok(2, 1).Ok(1).Build();
        // When / Then
        Assert.Equal(Validity.Valid, Check("register", h).Validity);
    }

    [Fact]
    public void Should_ExplainTheStaleRead_When_AReadReturnsAnOverwrittenValue()
    {
        // Given a read of 1 that starts after the write of 2 completed
        var h = new Ops().Invoke(0, "write", 1).Ok(0).Invoke(1, "write", 2).Ok(1).Invoke(2, "read").Ok(2, 1).Build();
        // When checking it
        var r = Check("register", h);
        // Then it is invalid: the prefix is both writes, the read is stuck, the register holds 2
        Assert.Equal(Validity.Invalid, r.Validity);
        var a = Assert.Single(r.Anomalies);
        Assert.Equal("nonlinearizable", a.Type);
        Assert.Equal([0L, 2L], a.Data!["prefix"]!.AsArray().Select(n => (long)n!));
        Assert.Equal([4L], a.Data["stuck"]!.AsArray().Select(n => (long)n!));
        Assert.Equal([0L, 2L, 4L], a.Data["partition_ops"]!.AsArray().Select(n => (long)n!));
        Assert.Contains("holds 2", (string?)a.Data["state"], StringComparison.Ordinal);
        Assert.Equal([0L, 2L, 4L], a.Ops.ToArray());
        Assert.Contains("#4 p2 read -> 1", a.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_LetAnInfoWriteTakeEffectLater_When_ItsOutcomeIsUnknown()
    {
        // Given a write of 3 that timed out, and a read of 3 much later
        var h = new Ops().Invoke(0, "write", 3).Info(0).Invoke(1, "write", 1).Ok(1).Invoke(1, "read").Ok(1, 3).Build();
        // When / Then: the write may take effect after the write of 1
        Assert.Equal(Validity.Valid, Check("register", h).Validity);
    }

    [Fact]
    public void Should_LetAnInfoWriteNeverHappen_When_LaterReadsIgnoreIt()
    {
        // Given a write of 3 with no completion and reads that never see it
        var h = new Ops().Invoke(0, "write", 3).Invoke(1, "write", 1).Ok(1).Invoke(1, "read").Ok(1, 1).Build();
        // When / Then
        Assert.Equal(Validity.Valid, Check("register", h).Validity);
    }

    [Fact]
    public void Should_DropAFailedWrite_When_AReadSeesIt()
    {
        // Given a write of 3 that failed (certainly did not happen), then a read of 3
        var h = new Ops().Invoke(0, "write", 3).Fail(0).Invoke(1, "read").Ok(1, 3).Build();
        // When / Then
        Assert.Equal(Validity.Invalid, Check("register", h).Validity);
    }

    [Fact]
    public void Should_MatchAnything_When_ACasRegisterReadReturnsNil()
    {
        // Given a Knossos cas-register history with a nil read after a write
        var h = new Ops().Invoke(0, "write", 1).Ok(0).Invoke(1, "read").Ok(1, null).Invoke(0, "cas", new[] { 1, 2 }).Ok(0).Build();
        // When / Then: valid for cas-register, invalid for the exact register
        Assert.Equal(Validity.Valid, Check("cas-register", h).Validity);
        Assert.Equal(Validity.Invalid, Check("register", h).Validity);
    }

    [Fact]
    public void Should_RequireTheCompareToFail_When_AnEtcdCasFails()
    {
        // Given a failed cas [1 2] while the register certainly holds 1
        var h = new Ops().Invoke(0, "write", 1).Ok(0).Invoke(1, "cas", new[] { 1, 2 }).Fail(1).Build();
        // When / Then: for etcd a failed cas means the compare failed, which is impossible here
        Assert.Equal(Validity.Invalid, Check("etcd", h).Validity);
        Assert.Equal(Validity.Valid, Check("register", h).Validity);
    }

    [Fact]
    public void Should_CheckEachKeySeparately_When_TheRegisterIsKeyed()
    {
        // Given two keys, one with a stale read
        var h = new Ops()
            .Invoke(0, "write", Ops.Keyed("a", 1)).Ok(0)
            .Invoke(1, "write", Ops.Keyed("b", 1)).Ok(1)
            .Invoke(1, "write", Ops.Keyed("b", 2)).Ok(1)
            .Invoke(0, "read", Ops.Keyed("a", null)).Ok(0, Ops.Keyed("a", 1))
            .Invoke(2, "read", Ops.Keyed("b", null)).Ok(2, Ops.Keyed("b", 1))
            .Build();
        // When checking it
        var r = Check("register", h);
        // Then only key b fails, and the result says so
        Assert.Equal(Validity.Invalid, r.Validity);
        Assert.Equal(2, (int)r.Stats!["partitions"]!);
        var a = Assert.Single(r.Anomalies);
        Assert.Equal("b", (string?)a.Data!["key"]);
        Assert.Equal([2L, 4L, 8L], a.Data["partition_ops"]!.AsArray().Select(n => (long)n!));
    }

    [Fact]
    public void Should_FindTheDoubleAcquire_When_TwoProcessesHoldTheMutex()
    {
        // Given two sequential acquires with no release
        var bad = new Ops().Invoke(0, "acquire").Ok(0).Invoke(1, "acquire").Ok(1).Build();
        var good = new Ops().Invoke(0, "acquire").Ok(0).Invoke(1, "acquire").Invoke(0, "release").Ok(0).Ok(1).Build();
        // When / Then
        Assert.Equal(Validity.Invalid, Check("mutex", bad).Validity);
        Assert.Equal(Validity.Valid, Check("mutex", good).Validity);
    }

    [Fact]
    public void Should_AllowAnInfoAcquireToNeverHappen_When_AnotherProcessAcquires()
    {
        // Given an acquire that crashed, then another acquire that succeeded
        var h = new Ops().Invoke(0, "acquire").Info(0).Invoke(1, "acquire").Ok(1).Build();
        // When / Then
        Assert.Equal(Validity.Valid, Check("mutex", h).Validity);
    }

    [Fact]
    public void Should_RespectFifoOrder_When_CheckingAQueue()
    {
        // Given two sequential enqueues and dequeues in the same / the opposite order
        var fifo = new Ops().Invoke(0, "enqueue", 1).Ok(0).Invoke(0, "enqueue", 2).Ok(0).Invoke(1, "dequeue").Ok(1, 1).Invoke(1, "dequeue").Ok(1, 2).Build();
        var lifo = new Ops().Invoke(0, "enqueue", 1).Ok(0).Invoke(0, "enqueue", 2).Ok(0).Invoke(1, "dequeue").Ok(1, 2).Build();
        // When / Then
        Assert.Equal(Validity.Valid, Check("queue", fifo).Validity);
        Assert.Equal(Validity.Invalid, Check("queue", lifo).Validity);
    }

    [Fact]
    public void Should_FindTheLostAdd_When_ASetReadMissesAnAcknowledgedAdd()
    {
        // Given adds of 1 and 2 (2 concurrent with a read), and reads
        var good = new Ops().Invoke(0, "add", 1).Ok(0).Invoke(0, "add", 2).Invoke(1, "read").Ok(1, new[] { 1 }).Ok(0).Build();
        var bad = new Ops().Invoke(0, "add", 1).Ok(0).Invoke(0, "add", 2).Ok(0).Invoke(1, "read").Ok(1, new[] { 2 }).Build();
        // When / Then
        Assert.Equal(Validity.Valid, Check("set", good).Validity);
        Assert.Equal(Validity.Invalid, Check("set", bad).Validity);
    }

    [Fact]
    public void Should_ApplyTransactionsAtomically_When_CheckingAMultiRegister()
    {
        // Given a txn writing x and y, and a read seeing only half of it afterwards
        static Datum Mop(string f, string k, int? v) => Datum.Vec(Datum.Kw(f), Datum.Kw(k), v is null ? Datum.Nil : Datum.Of(v.Value));
        var write = Datum.Vec(Mop("write", "x", 1), Mop("write", "y", 1));
        var h = new Ops().Invoke(0, "txn", write).Ok(0)
            .Invoke(1, "txn", Datum.Vec(Mop("read", "x", null), Mop("read", "y", null))).Ok(1, Datum.Vec(Mop("read", "x", 1), Mop("read", "y", 0)))
            .Build();
        // When / Then
        Assert.Equal(Validity.Invalid, Check("multi-register", h).Validity);
    }

    [Fact]
    public void Should_AppendStrings_When_CheckingKv()
    {
        // Given appends and a get on one key
        var h = new Ops().Invoke(0, "append", Ops.Keyed("k", "a")).Ok(0).Invoke(1, "append", Ops.Keyed("k", "b")).Ok(1)
            .Invoke(2, "get", Ops.Keyed("k", null)).Ok(2, Ops.Keyed("k", "ab")).Build();
        var bad = new Ops().Invoke(0, "append", Ops.Keyed("k", "a")).Ok(0).Invoke(1, "append", Ops.Keyed("k", "b")).Ok(1)
            .Invoke(2, "get", Ops.Keyed("k", null)).Ok(2, Ops.Keyed("k", "ba")).Build();
        // When / Then
        Assert.Equal(Validity.Valid, Check("kv", h).Validity);
        Assert.Equal(Validity.Invalid, Check("kv", bad).Validity);
    }

    [Fact]
    public void Should_BeUnknown_When_TheSearchTimesOut()
    {
        // Given 40 concurrent writes and a read of a value nobody wrote (exponential search)
        var ops = new Ops();
        for (var p = 0; p < 40; p++) ops.Invoke(p, "write", p);
        ops.Invoke(99, "read");
        for (var p = 0; p < 40; p++) ops.Ok(p);
        ops.Ok(99, 1000).Invoke(98, "read").Ok(98, 1);
        // When checking with a 100 ms timeout
        var r = Check("register", ops.Build(), TimeSpan.FromMilliseconds(100));
        // Then the verdict is unknown
        Assert.Equal(Validity.Unknown, r.Validity);
        Assert.Contains("timed out", r.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_BeUnknownWithTheReason_When_TheModelDoesNotKnowAnOp()
    {
        // Given a txn op checked against a register
        var h = new Ops().Invoke(0, "txn", Datum.Vec()).Ok(0).Build();
        // When
        var r = Check("register", h);
        // Then
        Assert.Equal(Validity.Unknown, r.Validity);
        Assert.Contains("f=txn", r.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_IgnoreNemesisOps_When_Checking()
    {
        // Given nemesis events around client ops
        var h = new History([
            new Operation(OpType.Info, Operation.NemesisProcess, "start-partition", Datum.Nil),
            Operation.Invoke(0, "write", Datum.Of(1)),
            new Operation(OpType.Ok, 0, "write", Datum.Of(1)),
        ]);
        // When / Then
        Assert.Equal(Validity.Valid, Check("register", h).Validity);
    }
}
