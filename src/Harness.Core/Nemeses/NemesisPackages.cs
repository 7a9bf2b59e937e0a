using System.Collections.Immutable;
using Harness.Core.Databases;
using Harness.Core.Generators;
using Harness.Core.Histories;
using Harness.Core.Runs;

namespace Harness.Core.Nemeses;

/// <summary>
/// Builds the nemesis package for <c>--nemesis</c> (Jepsen's nemesis/combined): one fault at a time, chosen at
/// random among the enabled ones: wait the interval, inject, wait the interval, heal. The final generator heals
/// every enabled fault. Abilities the faults need are checked here, once, when the test is built.
/// </summary>
public static class NemesisPackages
{
    public const string Partition = "partition";
    public const string Kill = "kill";
    public const string Pause = "pause";
    public const string KillPrimary = "kill-primary";
    public const string Loss = "loss";
    public const string Lag = "lag";

    /// <summary>Throws <see cref="UserErrorException"/> for unknown faults or partition shapes, and for faults or
    /// shapes that cannot act on this many nodes (a partition of one node would cut nothing).</summary>
    public static void Validate(TestOptions options)
    {
        foreach (var fault in options.Faults)
        {
            var kind = FaultKinds.All.FirstOrDefault(k => k.Name == fault)
                ?? throw new UserErrorException($"unknown fault '{fault}' in --nemesis; valid faults: {string.Join(", ", FaultKinds.Names)}");
            if (options.NodeCount < kind.MinNodes)
                throw new UserErrorException($"--nemesis {fault} needs --nodes {kind.MinNodes} or more (there is nothing to cut between {options.NodeCount} node)");
        }
        foreach (var shape in options.PartitionShapes)
        {
            if (!PartitionShapes.All.Contains(shape))
                throw new UserErrorException($"unknown partition shape '{shape}' in --partition-shape; valid shapes: {string.Join(", ", PartitionShapes.All)}");
            var min = PartitionShapes.MinNodes(shape);
            if (options.Faults.Contains(Partition) && options.NodeCount < min)
                throw new UserErrorException($"--partition-shape {shape} needs --nodes {min} or more, got {options.NodeCount}; use --partition-shape one or majority, or more nodes");
        }
    }

    /// <summary>The package for <paramref name="options"/>.Faults against <paramref name="database"/>.</summary>
    public static NemesisPackage Create(TestOptions options, IDatabase database)
    {
        Validate(options);
        var faults = options.Faults.Distinct().ToImmutableArray();
        if (faults.IsEmpty) return NemesisPackage.None;
        var dbName = options.Database;
        var shapes = options.PartitionShapes.IsDefaultOrEmpty ? [PartitionShapes.Majority] : options.PartitionShapes;
        if ((faults.Contains(KillPrimary) || (faults.Contains(Partition) && shapes.Contains(PartitionShapes.Primaries))) && database is not IHasPrimary)
            throw new UserErrorException($"{dbName} has no primary; drop 'kill-primary' from --nemesis and 'primaries' from --partition-shape");
        if ((faults.Contains(Kill) || faults.Contains(KillPrimary)) && database is not IKillable)
            throw new UserErrorException($"{dbName} servers cannot be killed; drop 'kill' and 'kill-primary' from --nemesis");
        if (faults.Contains(Lag) && database is not IHasReplicationLag)
            throw new UserErrorException($"{dbName} has no replication to hold back; drop 'lag' from --nemesis");
        if (faults.Contains(Pause) && database is not IPausable)
            throw new UserErrorException($"{dbName} servers cannot be paused; drop 'pause' from --nemesis");

        var random = new Random(unchecked((int)(options.Seed * 31 + 7)));
        var parts = new List<INemesis>();
        var injections = new List<(IGenerator Start, IGenerator Stop)>();
        var heals = new List<IGenerator>();
        if (faults.Contains(Partition))
        {
            parts.Add(new PartitionNemesis(random, database));
            var start = Gen.Once(Gen.Fn(ctx => new OpSpec(NemesisFs.StartPartition,
                Datum.Map([new(Datum.Of("shape"), Datum.Of(shapes[ctx.Random.Next(shapes.Length)]))]))));
            injections.Add((start, Gen.Op(NemesisFs.StopPartition)));
            heals.Add(Gen.Op(NemesisFs.StopPartition));
        }
        if (faults.Contains(Kill) || faults.Contains(KillPrimary))
        {
            parts.Add(new KillNemesis(random, (IKillable)database, database as IHasPrimary));
            if (faults.Contains(Kill)) injections.Add((Gen.Op(NemesisFs.Kill), Gen.Op(NemesisFs.Start)));
            if (faults.Contains(KillPrimary)) injections.Add((Gen.Op(NemesisFs.KillPrimary), Gen.Op(NemesisFs.Start)));
            heals.Add(Gen.Op(NemesisFs.Start));
        }
        if (faults.Contains(Pause))
        {
            parts.Add(new PauseNemesis(random, (IPausable)database));
            injections.Add((Gen.Op(NemesisFs.Pause), Gen.Op(NemesisFs.Resume)));
            heals.Add(Gen.Op(NemesisFs.Resume));
        }
        if (faults.Contains(Loss))
        {
            parts.Add(new LossNemesis(random, options.LossProbability));
            injections.Add((Gen.Op(NemesisFs.StartLoss, Datum.Map([new(Datum.Of("probability"), Datum.Of(options.LossProbability))])),
                Gen.Op(NemesisFs.StopLoss)));
            heals.Add(Gen.Op(NemesisFs.StopLoss));
        }

        if (faults.Contains(Lag))
        {
            // Alone, lag is a fault of its own; with others, every other fault happens while all replicas are held
            // back (from half an interval before it until it is healed) (a lagging replica promoted, or cut off), which is what makes asynchronous replication lose writes.
            var combined = injections.Count > 0;
            parts.Add(new LagNemesis(random, (IHasReplicationLag)database, allReplicas: combined));
            if (combined)
                injections = [.. injections.Select(i => (Gen.Seq(Gen.Op(NemesisFs.StartLag), Gen.Sleep(options.NemesisInterval / 2), i.Start), Gen.Seq(i.Stop, Gen.Op(NemesisFs.StopLag))))];
            else
                injections.Add((Gen.Op(NemesisFs.StartLag), Gen.Op(NemesisFs.StopLag)));
            heals.Add(Gen.Op(NemesisFs.StopLag));
        }

        var interval = options.NemesisInterval;
        // The faults in turn (partition, kill, kill-primary, pause, loss), each followed by its heal: a short run
        // with several faults has each of them once it has had as many faults as kinds (targets, shapes and loss
        // stay random per fault).
        var schedule = Gen.Cycle(Gen.Seq(injections.Select(i => Gen.Seq(Gen.Sleep(interval), i.Start, Gen.Sleep(interval), i.Stop))));
        return new NemesisPackage
        {
            Nemesis = parts.Count == 1 ? parts[0] : new ComposedNemesis(parts),
            Generator = schedule,
            Final = Gen.Seq(heals),
            Faults = faults,
        };
    }
}
