using System.Diagnostics;
using Harness.Core.Control;
using Harness.Core.Databases;
using Harness.Core.Running;
using Microsoft.Extensions.Logging.Abstractions;

namespace Harness.Core.Tests.Running;

public sealed class ReplicationSamplerTests : IDisposable
{
    private static readonly Node N1 = new("n1", "10.0.0.1", 1);
    private static readonly Node N2 = new("n2", "10.0.0.2", 2);
    private static readonly Node N3 = new("n3", "10.0.0.3", 3);

    private readonly string _dir = Directory.CreateTempSubdirectory("harness-sampler-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string LagFile => Path.Combine(_dir, LagLog.FileName);

    [Fact]
    public async Task Should_Stream_Each_Answer_To_Lag_Jsonl_On_The_Given_Clock_When_The_Source_Answers()
    {
        // Given a source that reports two replicas, and a clock that advances 1000 ns each time it is read
        long clock = 0;
        var calls = 0;
        Task<IReadOnlyList<ReplicaStatus>> Source(CancellationToken ct)
        {
            var n = Interlocked.Increment(ref calls);
            return Task.FromResult<IReadOnlyList<ReplicaStatus>>([new(N2, N1, "streaming", ReplayLagMs: n), new(N3, N1, "streaming", BytesBehind: n * 10)]);
        }
        await using var sampler = new ReplicationSampler(Source, () => Interlocked.Add(ref clock, 1000), LagFile, NullLogger.Instance)
        { Interval = TimeSpan.FromMilliseconds(20) };

        // When it has taken 3 rounds (however long a loaded machine takes; the bound only keeps a broken sampler
        // from hanging the test) and is stopped
        sampler.Start(CancellationToken.None);
        using (var bound = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
            while (sampler.Rounds < 3) await Task.Delay(10, bound.Token);
        await sampler.StopAsync();

        // Then several rounds were taken, each line of the file is one sample, stamped between the clock's reads around the ask
        var samples = sampler.Samples;
        Assert.True(sampler.Rounds >= 3, $"{sampler.Rounds} rounds");
        Assert.Equal(0, sampler.Failed);
        Assert.Equal(2 * sampler.Rounds, samples.Length);
        var file = LagLog.Read(File.ReadAllLines(LagFile));
        Assert.Equal(samples.ToArray(), file.Samples.ToArray());
        Assert.All(samples.Chunk(2), pair =>
        {
            Assert.Equal(["n2", "n3"], pair.Select(s => s.Node));
            Assert.Equal(pair[0].TimeNanos, pair[1].TimeNanos);
            Assert.Equal(500, pair[0].TimeNanos % 1000); // the middle of two clock reads 1000 ns apart
        });
        Assert.Equal(samples.Select(s => s.TimeNanos).Order(), samples.Select(s => s.TimeNanos));
        var callsAtStop = Volatile.Read(ref calls);
        await Task.Delay(100);
        Assert.Equal(callsAtStop, Volatile.Read(ref calls)); // stopped means stopped
    }

    [Fact]
    public async Task Should_Skip_The_Sample_And_Go_On_When_The_Source_Fails_Or_Hangs()
    {
        // Given a source that throws, then hangs without honouring its token, then answers, over and over
        var calls = 0;
        async Task<IReadOnlyList<ReplicaStatus>> Source(CancellationToken ct)
        {
            switch (Interlocked.Increment(ref calls) % 3)
            {
                case 1: throw new InvalidOperationException("the primary is down");
                case 2: await Task.Delay(Timeout.Infinite, CancellationToken.None); return [];
                default: return [new(N2, N1, "streaming", BytesBehind: 1)];
            }
        }
        await using var sampler = new ReplicationSampler(Source, () => Stopwatch.GetTimestamp(), LagFile, NullLogger.Instance)
        { Interval = TimeSpan.FromMilliseconds(20), SampleTimeout = TimeSpan.FromMilliseconds(60) };

        // When it samples for a while
        sampler.Start(CancellationToken.None);
        await Task.Delay(700);
        var stop = Stopwatch.StartNew();
        await sampler.StopAsync();

        // Then the failed and hung samples were skipped and counted, the others recorded, and stopping was prompt
        Assert.True(sampler.Failed >= 2, $"{sampler.Failed} failed");
        Assert.NotEmpty(sampler.Samples);
        Assert.Equal(sampler.Rounds - sampler.Failed, sampler.Samples.Length);
        Assert.True(stop.Elapsed < TimeSpan.FromSeconds(1), $"stopping took {stop.Elapsed}");
        Assert.Equal(sampler.Samples.Length, File.ReadAllLines(LagFile).Length);
    }

    [Fact]
    public async Task Should_Stop_At_Once_Without_Counting_A_Failure_When_The_Run_Is_Cancelled_Mid_Sample()
    {
        // Given a source that waits until cancelled, and a sample bound far away
        using var run = new CancellationTokenSource();
        var asked = new TaskCompletionSource();
        async Task<IReadOnlyList<ReplicaStatus>> Source(CancellationToken ct)
        {
            asked.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return [];
        }
        await using var sampler = new ReplicationSampler(Source, () => 0, path: null, NullLogger.Instance) { SampleTimeout = TimeSpan.FromMinutes(5) };
        sampler.Start(run.Token);
        await asked.Task.WaitAsync(TimeSpan.FromSeconds(5));

        // When the run is cancelled (Ctrl-C) while the sample is in flight
        var stop = Stopwatch.StartNew();
        await run.CancelAsync();
        await sampler.StopAsync();

        // Then it stops at once, throws nothing, and an interrupted sample is not a failed one
        Assert.True(stop.Elapsed < TimeSpan.FromSeconds(1), $"stopping took {stop.Elapsed}");
        Assert.Equal(0, sampler.Failed);
        Assert.Empty(sampler.Samples);
    }
}
