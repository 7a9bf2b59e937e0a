using System.Collections.Immutable;
using Harness.Core.Control;

namespace Harness.Testing;

/// <summary>An <see cref="IRemote"/> that records every command and answers from a script (exit 0, no output by
/// default); its files are real files under <see cref="Directory"/>.</summary>
public sealed class FakeRemote(Node node, string directory) : IRemote
{
    private readonly Lock _lock = new();
    private readonly List<ImmutableArray<string>> _commands = [];

    public Node Node { get; } = node;
    public string Directory { get; } = directory;
    public string LogDirectory => Path.Combine(Directory, "log");

    /// <summary>Decides the result of a command; null gives exit 0 with no output.</summary>
    public Func<IReadOnlyList<string>, CommandResult?>? Script { get; set; }

    /// <summary>Every command run or started, in order.</summary>
    public ImmutableArray<ImmutableArray<string>> Commands
    {
        get { lock (_lock) return [.. _commands]; }
    }

    public Task<CommandResult> ExecAsync(IReadOnlyList<string> argv, CancellationToken ct, string? stdin = null)
    {
        lock (_lock) _commands.Add([.. argv]);
        return Task.FromResult(Script?.Invoke(argv) ?? new CommandResult(0, "", ""));
    }

    public Task<IRemoteProcess> StartAsync(ServerSpec spec, CancellationToken ct)
    {
        lock (_lock) _commands.Add([.. spec.Argv]);
        return Task.FromResult<IRemoteProcess>(new FakeProcess());
    }

    public async Task WriteFileAsync(string path, string content, CancellationToken ct, string? owner = null)
    {
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, content, ct);
    }

    public async Task<string?> ReadFileAsync(string path, CancellationToken ct) =>
        File.Exists(path) ? await File.ReadAllTextAsync(path, ct) : null;

    public Task DownloadAsync(string path, string localPath, CancellationToken ct)
    {
        File.Copy(path, localPath, overwrite: true);
        return Task.CompletedTask;
    }

    /// <summary>A process that records the signals it receives; SIGKILL and SIGTERM end it.</summary>
    public sealed class FakeProcess : IRemoteProcess
    {
        private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Pid { get; } = Random.Shared.Next(10_000, 4_000_000);
        public bool HasExited => _exited.Task.IsCompleted;
        private readonly List<ProcessSignal> _signals = [];

        /// <summary>Every signal received, in order.</summary>
        public IReadOnlyList<ProcessSignal> Signals => _signals;

        public Task SignalAsync(ProcessSignal signal, bool withChildren, CancellationToken ct)
        {
            _signals.Add(signal);
            if (signal is ProcessSignal.Kill or ProcessSignal.Term) _exited.TrySetResult();
            return Task.CompletedTask;
        }

        public Task WaitForExitAsync(CancellationToken ct) => _exited.Task.WaitAsync(ct);

        public ValueTask DisposeAsync()
        {
            _exited.TrySetResult();
            return ValueTask.CompletedTask;
        }
    }
}
