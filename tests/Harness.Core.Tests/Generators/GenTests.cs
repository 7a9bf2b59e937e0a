using Harness.Core.Generators;
using Harness.Core.Histories;

namespace Harness.Core.Tests.Generators;

public sealed class GenTests
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    private static GenSimulator Sim(int concurrency = 3, long seed = 1, bool nemesis = true) =>
        new() { Concurrency = concurrency, Seed = seed, Nemesis = nemesis, Latency = 2 * Ms };

    private static IGenerator Reads() => Gen.Fn(ctx => new OpSpec("read", Datum.Of(ctx.Random.Next(100))));

    private static List<Operation> Invokes(History h) => [.. h.Where(o => o.IsInvoke)];

    [Fact]
    public void Should_Produce_The_Same_Schedule_When_The_Seed_Is_The_Same()
    {
        // Given a random, rate-limited, mixed generator
        IGenerator Make() => Gen.TimeLimit(TimeSpan.FromSeconds(2),
            Gen.Stagger(10 * Ms, Gen.Mix(Reads(), Gen.Repeat("write", Datum.Of(1)))));

        // When it runs twice with one seed and once with another
        var a = Sim(seed: 42).Run(Gen.OnClients(Make()));
        var b = Sim(seed: 42).Run(Gen.OnClients(Make()));
        var c = Sim(seed: 43).Run(Gen.OnClients(Make()));

        // Then the same seed gives the same history, another seed a different one
        Assert.Equal(a.Select(HistoryJson.ToLine), b.Select(HistoryJson.ToLine));
        Assert.NotEqual(a.Select(HistoryJson.ToLine), c.Select(HistoryJson.ToLine));
    }

    [Fact]
    public void Should_Emit_Exactly_N_Ops_When_Limited()
    {
        // Given / When
        var h = Sim().Run(Gen.OnClients(Gen.Limit(17, Reads())));

        // Then
        Assert.Equal(17, Invokes(h).Count);
        Assert.Empty(h.Validate());
    }

    [Fact]
    public void Should_Start_No_Op_After_The_Deadline_When_Time_Limited()
    {
        // Given ops that take 2 ms each, limited to 1 s
        var h = Sim().Run(Gen.OnClients(Gen.TimeLimit(TimeSpan.FromSeconds(1), Reads())));

        // Then every invocation starts before 1 s, and ops ran close to the limit
        var invokes = Invokes(h);
        Assert.All(invokes, o => Assert.True(o.TimeNanos < 1_000_000_000, o.ToString()));
        Assert.True(invokes[^1].TimeNanos > 900_000_000);
    }

    [Fact]
    public void Should_Approach_The_Target_Rate_When_Staggered()
    {
        // Given 100 ops/s for 10 virtual seconds
        var h = Sim(concurrency: 5).Run(Gen.OnClients(Gen.TimeLimit(TimeSpan.FromSeconds(10), Gen.Rate(100, Reads()))));

        // Then about 1000 ops ran (random spacing, mean 10 ms)
        var n = Invokes(h).Count;
        Assert.InRange(n, 850, 1150);
    }

    [Fact]
    public void Should_Space_Ops_Exactly_When_Delayed()
    {
        // Given / When
        var h = Sim().Run(Gen.OnClients(Gen.Limit(5, Gen.Delay(100 * Ms, Reads()))));

        // Then the invocations are 100 ms apart
        var times = Invokes(h).Select(o => o.TimeNanos).ToList();
        Assert.Equal([0L, 100_000_000L, 200_000_000L, 300_000_000L, 400_000_000L], times);
    }

    [Fact]
    public void Should_Route_Ops_To_Clients_Or_Nemesis_When_Combined_With_Any()
    {
        // Given clients reading and a nemesis alternating faults
        var gen = Gen.TimeLimit(TimeSpan.FromSeconds(1), Gen.Any(
            Gen.OnClients(Gen.Stagger(5 * Ms, Reads())),
            Gen.OnNemesis(Gen.Cycle(Gen.Seq(Gen.Sleep(100 * Ms), Gen.Op("start-partition"), Gen.Sleep(100 * Ms), Gen.Op("stop-partition"))))));

        // When
        var h = Sim().Run(gen);

        // Then reads only ran on clients and faults only on the nemesis, alternating
        Assert.All(h.Where(o => o.F == "read"), o => Assert.True(o.IsClient));
        var nemesis = Invokes(h).Where(o => o.IsNemesis).Select(o => o.F).ToList();
        Assert.All(h.Where(o => o.F.Contains("partition", StringComparison.Ordinal)), o => Assert.True(o.IsNemesis));
        Assert.True(nemesis.Count >= 4);
        for (var i = 0; i < nemesis.Count; i++) Assert.Equal(i % 2 == 0 ? "start-partition" : "stop-partition", nemesis[i]);
        Assert.All(h.Where(o => o.IsNemesis && !o.IsInvoke), o => Assert.Equal(OpType.Info, o.Type));
    }

    [Fact]
    public void Should_Keep_The_Nemesis_Schedule_When_Client_Ops_Are_Far_Apart()
    {
        // Given clients at one op per 10 s beside a nemesis acting every 100 ms, for 1 s
        var gen = Gen.TimeLimit(TimeSpan.FromSeconds(1), Gen.Any(
            Gen.OnClients(Gen.Rate(0.1, Reads())),
            Gen.OnNemesis(Gen.Cycle(Gen.Seq(Gen.Sleep(100 * Ms), Gen.Op("kill"))))));

        // When
        var h = Sim().Run(gen);

        // Then the nemesis ran on its own schedule, about every 100 ms
        var kills = h.Where(o => o.IsInvoke && o.F == "kill").ToList();
        Assert.InRange(kills.Count, 8, 10);
    }

    [Fact]
    public void Should_Start_A_Phase_Only_When_Every_Thread_Is_Idle()
    {
        // Given a phase of writes followed by a phase of reads
        var gen = Gen.OnClients(Gen.Phases(Gen.Limit(10, Gen.Repeat("write", Datum.Of(1))), Gen.Limit(3, Gen.Repeat("read"))));

        // When
        var h = Sim(concurrency: 4, nemesis: false).Run(gen);

        // Then the first read starts after the last write completed
        var lastWriteDone = h.Where(o => o.F == "write" && !o.IsInvoke).Max(o => o.Index);
        var firstRead = h.First(o => o.F == "read").Index;
        Assert.True(firstRead > lastWriteDone);
    }

    [Fact]
    public void Should_Give_Each_Thread_One_Op_When_Each_Thread_Once()
    {
        // Given / When
        var h = Sim(concurrency: 5).Run(Gen.OnClients(Gen.EachThread(Gen.Op("read"))));

        // Then every client thread read exactly once
        Assert.Equal([0, 1, 2, 3, 4], Invokes(h).Select(o => o.Process).Order());
    }

    [Fact]
    public void Should_Continue_As_A_New_Process_When_An_Op_Ends_As_Info()
    {
        // Given a database where every op's outcome is unknown
        var sim = new GenSimulator { Concurrency = 2, Nemesis = false, Complete = op => op.Info("timeout") };

        // When
        var h = sim.Run(Gen.OnClients(Gen.Limit(6, Reads())));

        // Then each op ran under a fresh process id: thread t uses t, t+2, t+4...
        var processes = Invokes(h).Select(o => o.Process).ToList();
        Assert.Equal(processes.Count, processes.Distinct().Count());
        Assert.All(processes, p => Assert.InRange(p, 0, 11));
        Assert.Empty(h.Validate());
    }

    [Fact]
    public void Should_Wait_When_Sleeping()
    {
        // Given / When
        var h = Sim().Run(Gen.OnClients(Gen.Seq(Gen.Sleep(TimeSpan.FromSeconds(3)), Gen.Op("read"))));

        // Then the read started after 3 s
        Assert.True(Invokes(h).Single().TimeNanos >= 3_000_000_000);
    }

    [Fact]
    public void Should_Use_Every_Generator_When_Mixing()
    {
        // Given / When
        var h = Sim().Run(Gen.OnClients(Gen.Limit(200, Gen.Mix(Gen.Repeat("a"), Gen.Repeat("b"), Gen.Repeat("c")))));

        // Then each f appears a fair share of the time
        foreach (var f in new[] { "a", "b", "c" })
            Assert.InRange(Invokes(h).Count(o => o.F == f), 40, 100);
    }

    [Fact]
    public void Should_Restart_When_Cycled_And_Repeat_The_First_Op_When_Repeated()
    {
        // Given / When
        var cycled = Sim().Run(Gen.OnClients(Gen.Cycle(Gen.Seq(Gen.Op("a"), Gen.Op("b")), times: 3)));
        var repeated = Sim().Run(Gen.OnClients(Gen.Repeat(Gen.Seq(Gen.Op("x"), Gen.Op("y")), times: 4)));

        // Then
        Assert.Equal("ababab", string.Concat(Invokes(cycled).Select(o => o.F)));
        Assert.Equal("xxxx", string.Concat(Invokes(repeated).Select(o => o.F)));
    }

    [Fact]
    public void Should_Filter_And_Map_Ops()
    {
        // Given / When
        var h = Sim().Run(Gen.OnClients(Gen.Limit(10, Gen.Map(o => o with { F = "w" }, Gen.Filter(o => o.Value!.AsLong() % 2 == 0, Reads())))));

        // Then
        Assert.All(Invokes(h), o => Assert.True(o.F == "w" && o.Value!.AsLong() % 2 == 0));
        Assert.Equal(10, Invokes(h).Count);
    }

    [Fact]
    public void Should_Be_Exhausted_When_Empty_Or_Once_Used()
    {
        // Given
        var ctx = GenContext.Initial(2, new Random(1));

        // When
        var once = Gen.Once(Reads()).Next(ctx);

        // Then
        Assert.IsType<GenStep.Exhausted>(Gen.Empty.Next(ctx));
        var emit = Assert.IsType<GenStep.Emit>(once);
        Assert.IsType<GenStep.Exhausted>(emit.Next.Next(ctx));
    }

    [Fact]
    public void Should_Be_Pending_When_No_Process_Is_Free()
    {
        // Given a context where every thread is busy
        var ctx = GenContext.Initial(2, new Random(1)) with { FreeProcesses = [] };

        // When / Then
        Assert.IsType<GenStep.Pending>(Reads().Next(ctx));
        Assert.IsType<GenStep.Pending>(Gen.OnClients(Reads()).Next(ctx with { FreeProcesses = [-1] }));
    }
}
