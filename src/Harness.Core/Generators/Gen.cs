using System.Collections.Immutable;

namespace Harness.Core.Generators;

/// <summary>
/// Generator constructors and combinators (Jepsen's jepsen.generator). Every generator is an immutable value:
/// <see cref="IGenerator.Next"/> returns the generator to use afterwards, so re-asking an old generator gives
/// the same schedule, and a fixed seed with virtual time (<see cref="GenSimulator"/>) reproduces a run.
/// </summary>
public static class Gen
{
    /// <summary>A generator that is exhausted at once.</summary>
    public static IGenerator Empty { get; } = new EmptyGen();

    /// <summary>Calls <paramref name="f"/> for each op, on a free process chosen at random; a null result ends it.</summary>
    public static IGenerator Fn(Func<GenContext, OpSpec?> f) => new FnGen(f);

    /// <summary>The same invocation forever.</summary>
    public static IGenerator Repeat(string f, Histories.Datum? value = null) => new FnGen(_ => new OpSpec(f, value));

    /// <summary>One invocation, once.</summary>
    public static IGenerator Op(string f, Histories.Datum? value = null) => Limit(1, Repeat(f, value));

    /// <summary>At most one op of <paramref name="gen"/>.</summary>
    public static IGenerator Once(IGenerator gen) => Limit(1, gen);

    /// <summary>At most <paramref name="count"/> ops of <paramref name="gen"/>.</summary>
    public static IGenerator Limit(long count, IGenerator gen) => new LimitGen(count, gen);

    /// <summary>Runs generators one after another (no waiting between them).</summary>
    public static IGenerator Seq(params IEnumerable<IGenerator> gens) => SeqGen.Create([.. gens]);

    /// <summary>Runs generators one after another; each later phase starts only once every visible thread is idle.</summary>
    public static IGenerator Phases(params IEnumerable<IGenerator> gens)
    {
        var list = gens.ToList();
        return SeqGen.Create([.. list.Select((g, i) => i == 0 ? g : Synchronize(g))]);
    }

    /// <summary>Waits until every visible thread is idle, then behaves as <paramref name="gen"/>.</summary>
    public static IGenerator Synchronize(IGenerator gen) => new SynchronizeGen(gen);

    /// <summary>Each op comes from one of the generators chosen at random; exhausted ones drop out.</summary>
    public static IGenerator Mix(params IEnumerable<IGenerator> gens) => new MixGen([.. gens], -1);

    /// <summary>Chooses one of the generators at random when first asked, then runs only that one.</summary>
    public static IGenerator OneOf(params IEnumerable<IGenerator> gens) => new OneOfGen([.. gens]);

    /// <summary>The soonest op of any of the generators (e.g. clients and nemesis side by side).</summary>
    public static IGenerator Any(params IEnumerable<IGenerator> gens) => new AnyGen([.. gens]);

    /// <summary>Spaces ops by a random interval in [0, 2·<paramref name="mean"/>) (Jepsen's stagger); rate = 1/mean overall.</summary>
    public static IGenerator Stagger(TimeSpan mean, IGenerator gen) => new SpacingGen(gen, NanosOf(mean), random: true, -1);

    /// <summary>Spaces ops exactly <paramref name="interval"/> apart.</summary>
    public static IGenerator Delay(TimeSpan interval, IGenerator gen) => new SpacingGen(gen, NanosOf(interval), random: false, -1);

    /// <summary>Ops at a total rate of <paramref name="opsPerSecond"/> (random spacing); 0 or less = unlimited.</summary>
    public static IGenerator Rate(double opsPerSecond, IGenerator gen) =>
        opsPerSecond <= 0 ? gen : Stagger(TimeSpan.FromSeconds(1 / opsPerSecond), gen);

    /// <summary>Ops of <paramref name="gen"/> that start less than <paramref name="limit"/> after its first op was asked for.</summary>
    public static IGenerator TimeLimit(TimeSpan limit, IGenerator gen) => new TimeLimitGen(gen, NanosOf(limit), -1);

    /// <summary>Emits nothing for <paramref name="duration"/> (from when it is first asked), then is exhausted.</summary>
    public static IGenerator Sleep(TimeSpan duration) => new SleepGen(NanosOf(duration), -1);

    /// <summary>Routes <paramref name="gen"/> to client processes only.</summary>
    public static IGenerator OnClients(IGenerator gen) => new RouteGen(gen, clients: true);

    /// <summary>Routes <paramref name="gen"/> to the nemesis only.</summary>
    public static IGenerator OnNemesis(IGenerator gen) => new RouteGen(gen, clients: false);

    /// <summary>A separate copy of <paramref name="gen"/> for every visible thread (Jepsen's each-thread).</summary>
    public static IGenerator EachThread(IGenerator gen) => new EachThreadGen(gen, ImmutableDictionary<int, IGenerator>.Empty);

    /// <summary>Emits the first op of <paramref name="gen"/> again and again (<paramref name="times"/> &lt; 0: forever).</summary>
    public static IGenerator Repeat(IGenerator gen, long times = -1) => new RepeatGen(gen, times);

    /// <summary>Runs <paramref name="gen"/> to exhaustion, then again from the start (<paramref name="times"/> &lt; 0: forever).</summary>
    public static IGenerator Cycle(IGenerator gen, long times = -1) => new CycleGen(gen, gen, times);

    /// <summary>Rewrites each op (its process and time must stay as they are).</summary>
    public static IGenerator Map(Func<Histories.Operation, Histories.Operation> f, IGenerator gen) => new MapGen(gen, f);

    /// <summary>Drops ops that do not satisfy <paramref name="predicate"/>.</summary>
    public static IGenerator Filter(Func<Histories.Operation, bool> predicate, IGenerator gen) => new FilterGen(gen, predicate);

    internal static long NanosOf(TimeSpan t) => t.Ticks * 100;
}
