namespace Harness.Core.Control;

/// <summary>What a command run on a node printed and how it exited.</summary>
public sealed record CommandResult(int ExitCode, string Stdout, string Stderr)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>Throws a <see cref="RemoteCommandException"/> naming the command when it failed.</summary>
    public CommandResult EnsureSuccess(IReadOnlyList<string> argv) =>
        Succeeded ? this : throw new RemoteCommandException(argv, this);
}

public sealed class RemoteCommandException(IReadOnlyList<string> argv, CommandResult result)
    : Exception($"`{string.Join(' ', argv)}` exited {result.ExitCode}: {(result.Stderr.Length > 0 ? result.Stderr : result.Stdout).Trim()}")
{
    public CommandResult Result { get; } = result;
}
