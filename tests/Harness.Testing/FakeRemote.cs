using System.Collections.Immutable;
using Harness.Core.Control;

namespace Harness.Testing;

/// <summary>An <see cref="IRemote"/> that records every command and answers from a script (exit 0, no output by default).</summary>
public sealed class FakeRemote(Node node) : IRemote
{
    private readonly Lock _lock = new();
    private readonly List<ImmutableArray<string>> _commands = [];

    public Node Node { get; } = node;

    /// <summary>Decides the result of a command; null gives exit 0 with no output.</summary>
    public Func<IReadOnlyList<string>, CommandResult?>? Script { get; set; }

    /// <summary>Every command run or started, in order.</summary>
    public ImmutableArray<ImmutableArray<string>> Commands
    {
        get { lock (_lock) return [.. _commands]; }
    }

    public Task<CommandResult> ExecAsync(IReadOnlyList<string> argv, CancellationToken ct)
    {
        lock (_lock) _commands.Add([.. argv]);
        return Task.FromResult(Script?.Invoke(argv) ?? new CommandResult(0, "", ""));
    }

    public Task<IRemoteProcess> StartAsync(IReadOnlyList<string> argv, string? user, string logPath, CancellationToken ct)
    {
        lock (_lock) _commands.Add([.. argv]);
        return Task.FromResult<IRemoteProcess>(new FakeProcess());
    }

    /// <summary>A process that records the signals it receives; SIGKILL and SIGTERM end it.</summary>
    public sealed class FakeProcess : IRemoteProcess
    {
        private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Pid { get; } = Random.Shared.Next(10_000, 4_000_000);
        public bool HasExited => _exited.Task.IsCompleted;
        private readonly List<int> _signals = [];

        public IReadOnlyList<int> Signals => _signals;

        public void Signal(int signal)
        {
            _signals.Add(signal);
            if (signal is 9 or 15) _exited.TrySetResult();
        }

        public Task WaitForExitAsync(CancellationToken ct) => _exited.Task.WaitAsync(ct);

        public ValueTask DisposeAsync()
        {
            _exited.TrySetResult();
            return ValueTask.CompletedTask;
        }
    }
}
