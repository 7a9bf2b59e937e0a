using System.Threading.Channels;
using Harness.Core.Histories;
using Harness.Core.Nemeses;
using Harness.Core.Runs;

namespace Harness.Core.Running;

/// <summary>The nemesis thread: applies one fault or heal at a time; every completion is Info.</summary>
internal sealed class NemesisWorker(INemesis nemesis, RunContext run, TimeSpan timeout,
    ChannelWriter<Operation> completions, CancellationToken runToken) : IThreadPoolWorkItem
{
    private Operation? _op;

    public bool Busy { get; set; }

    public void Start(Operation op)
    {
        _op = op;
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    public void Execute() => _ = RunAsync();

    private async Task RunAsync()
    {
        var op = _op!; // set by Start before queueing
        Operation done;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(runToken);
        cts.CancelAfter(timeout);
        try
        {
            done = await nemesis.InvokeAsync(run, op, cts.Token).WaitAsync(timeout + TimeSpan.FromSeconds(1), runToken);
            done = done with { Type = OpType.Info, Process = Operation.NemesisProcess, F = op.F };
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            done = op.Info(runToken.IsCancellationRequested ? "interrupted" : "timeout");
        }
        catch (Exception e)
        {
            done = op.Info($"nemesis threw {e.GetType().Name}: {e.Message}");
        }
        completions.TryWrite(done with { Index = -1, TimeNanos = -1 });
    }
}
