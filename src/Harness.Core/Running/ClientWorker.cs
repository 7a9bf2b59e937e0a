using System.Threading.Channels;
using Harness.Core.Clients;
using Harness.Core.Control;
using Harness.Core.Histories;
using Microsoft.Extensions.Logging;
using Harness.Core.Runs;

namespace Harness.Core.Running;

/// <summary>
/// One logical client thread bound to a node. Runs one op at a time on the thread pool; a missing client is
/// opened first (a failure to open fails the op: it was never sent). An op that throws, times out or returns
/// Info crashes the process: its client is closed and the thread continues as process + concurrency.
/// </summary>
internal sealed class ClientWorker(int thread, Node node, RunContext run, ClientFactory open, TimeSpan opTimeout,
    ChannelWriter<Operation> completions, CancellationToken runToken) : IThreadPoolWorkItem
{
    private IClient? _client;
    private Operation? _op;
    private CancellationTokenSource _opCts = CancellationTokenSource.CreateLinkedTokenSource(runToken);

    public int Thread { get; } = thread;
    public Node Node { get; } = node;
    public int Process { get; set; } = thread;
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
        try
        {
            done = await InvokeAsync(op);
        }
        catch (Exception e)
        {
            done = op.Info($"harness: {e.GetType().Name}: {e.Message}");
        }
        if (done.IsInfo) await CloseClientAsync();
        completions.TryWrite(done);
    }

    private async Task<Operation> InvokeAsync(Operation op)
    {
        if (_client is null)
        {
            try
            {
                _client = await open(run, Node, runToken).WaitAsync(opTimeout, runToken);
            }
            catch (Exception e) when (!runToken.IsCancellationRequested)
            {
                return op.Fail($"no-client: {Describe(e)}");
            }
        }
        _opCts.CancelAfter(opTimeout);
        Operation completion;
        try
        {
            var task = _client.InvokeAsync(op, _opCts.Token);
            completion = task.IsCompleted ? await task : await task.WaitAsync(opTimeout + TimeSpan.FromSeconds(1), runToken);
        }
        catch (TimeoutException)
        {
            completion = op.Info("timeout");
        }
        catch (OperationCanceledException) when (runToken.IsCancellationRequested)
        {
            completion = op.Info("interrupted");
        }
        catch (OperationCanceledException) when (_opCts.IsCancellationRequested)
        {
            completion = op.Info("timeout");
        }
        catch (Exception e)
        {
            completion = op.Info($"client threw {Describe(e)}");
        }
        finally
        {
            if (!_opCts.TryReset()) _opCts = CancellationTokenSource.CreateLinkedTokenSource(runToken); // the old one may still be in use
        }
        if (completion.Type == OpType.Invoke || completion.Process != op.Process || completion.F != op.F)
            return op.Info($"client returned a malformed completion: {completion}");
        return completion with { Node = Node.Name, Index = -1, TimeNanos = -1 };
    }

    private static string Describe(Exception e) => $"{e.GetType().Name}: {e.Message}";

    /// <summary>Closes the client (bounded); the next op opens a new one.</summary>
    public async Task CloseClientAsync()
    {
        var client = _client;
        _client = null;
        if (client is null) return;
        try
        {
            await client.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e)
        {
            run.Logger.LogWarning("closing the client of process {Process} on {Node} failed: {Error}", Process, Node.Name, e.Message);
        }
    }
}
