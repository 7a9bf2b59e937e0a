using Harness.Core.Checking;

namespace Harness.Core.Running;

/// <summary>What a finished run produced.</summary>
public sealed record RunResult
{
    public required CheckResult Check { get; init; }

    /// <summary>results/&lt;test&gt;/&lt;time&gt;/.</summary>
    public required string Directory { get; init; }

    /// <summary>History events recorded (invocations and completions).</summary>
    public long EventCount { get; init; }

    /// <summary>True when the run was cancelled (Ctrl-C) before its schedule finished.</summary>
    public bool Interrupted { get; init; }

    /// <summary>An unexpected failure of the harness or the database setup; the run's verdict is then Unknown.</summary>
    public Exception? Crash { get; init; }

    /// <summary>0 valid, 1 invalid, 2 unknown, 255 crash.</summary>
    public int ExitCode => Crash is not null ? 255 : Check.Validity.ExitCode();
}
