using Harness.Core;
using Harness.Core.Generators;
using Harness.Core.Histories;
using Harness.Core.Runs;

namespace Harness.Workloads.Tests;

public sealed class WorkloadsTests
{
    private static TestOptions Options(string workload) => new() { Database = "memory", Workload = workload, KeyCount = 3, Seed = 5 };

    private static List<Operation> Invocations(string workload, int count = 500)
    {
        var w = Workloads.Create(Options(workload));
        var sim = new GenSimulator { Concurrency = 4, Nemesis = false, Seed = 5 };
        return [.. sim.Run(Gen.OnClients(Gen.Limit(count, w.Generator))).Where(o => o.IsInvoke)];
    }

    [Fact]
    public void Should_Emit_Keyed_Register_Values_When_Workload_Is_Register()
    {
        // Given / When
        var ops = Invocations("register");

        // Then reads carry {"key":k,"value":null}, writes an int, cas [old,new]; all three kinds occur
        Assert.Equal(["cas", "read", "write"], ops.Select(o => o.F).Distinct().Order());
        foreach (var op in ops)
        {
            Assert.True(op.Value!.Get("key")!.IsInt);
            var v = op.Value.Get("value")!;
            switch (op.F)
            {
                case "read": Assert.True(v.IsNil); break;
                case "write": Assert.True(v.IsInt); break;
                default: Assert.True(v.TryGetLongs(out var pair) && pair.Length == 2); break;
            }
        }
    }

    [Fact]
    public void Should_Rotate_Keys_When_A_Key_Had_Enough_Ops()
    {
        // Given 3 active keys and 200 ops per key, 2000 ops
        var ops = Invocations("register", 2000);

        // When
        var perKey = ops.GroupBy(o => o.Value!.Get("key")!.AsLong()).ToDictionary(g => g.Key, g => g.Count());

        // Then no key got more than its share and new keys appeared
        Assert.All(perKey.Values, n => Assert.True(n <= RegisterWorkload.OpsPerKey));
        Assert.True(perKey.Count >= 10);
    }

    [Fact]
    public void Should_Add_Unique_Integers_And_Read_At_The_End_When_Workload_Is_Set()
    {
        // Given / When
        var ops = Invocations("set");
        var w = Workloads.Create(Options("set"));
        var final = new GenSimulator { Concurrency = 4, Nemesis = false }.Run(Gen.OnClients(w.Final!)).Where(o => o.IsInvoke).ToList();

        // Then
        Assert.All(ops, o => Assert.Equal("add", o.F));
        Assert.Equal(ops.Count, ops.Select(o => o.Value!.AsLong()).Distinct().Count());
        Assert.Equal(4, final.Count);
        Assert.All(final, o => Assert.Equal("read", o.F));
    }

    [Fact]
    public void Should_Build_Txns_Of_Appends_And_Reads_When_Workload_Is_List_Append()
    {
        // Given / When
        var ops = Invocations("list-append");

        // Then every op is a txn of 1..4 micro-ops; appends carry unique values, reads carry nil
        var appended = new List<long>();
        foreach (var op in ops)
        {
            Assert.Equal("txn", op.F);
            Assert.InRange(op.Value!.Count, 1, ListAppendWorkload.MaxTxnLength);
            foreach (var micro in op.Value.Items)
            {
                var f = micro[0].AsName();
                Assert.Contains(f, new[] { "append", "r" });
                if (f == "append") appended.Add(micro[2].AsLong());
                else Assert.True(micro[2].IsNil);
            }
        }
        Assert.Equal(appended.Count, appended.Distinct().Count());
        Assert.Contains(ops, o => o.Value!.Count > 1);
    }

    [Fact]
    public void Should_Use_Single_Micro_Op_Txns_When_Workload_Is_Session()
    {
        // Given / When
        var ops = Invocations("session");

        // Then
        Assert.All(ops, o => Assert.Equal(1, o.Value!.Count));
        Assert.Contains(ops, o => o.Value![0][0].AsName() == "append");
        Assert.Contains(ops, o => o.Value![0][0].AsName() == "r");
    }

    [Fact]
    public void Should_Transfer_Between_Distinct_Accounts_When_Workload_Is_Bank()
    {
        // Given / When
        var ops = Invocations("bank");

        // Then
        foreach (var op in ops.Where(o => o.F == "transfer"))
        {
            var from = op.Value!.Get("from")!.AsLong();
            var to = op.Value.Get("to")!.AsLong();
            Assert.NotEqual(from, to);
            Assert.InRange(from, 0, BankWorkload.Accounts - 1);
            Assert.InRange(op.Value.Get("amount")!.AsLong(), 1, BankWorkload.MaxAmount);
        }
        Assert.Contains(ops, o => o.F == "read");
    }

    [Fact]
    public void Should_List_Valid_Workloads_When_The_Name_Is_Unknown()
    {
        // When
        var e = Assert.Throws<UserErrorException>(() => Workloads.Create(Options("queue")));

        // Then
        Assert.Contains("list-append", e.Message, StringComparison.Ordinal);
    }
}
