namespace Harness.Core.Histories;

/// <summary>
/// One history event. Invocations pair with exactly one completion of the same process (rule 1 of
/// docs/history-format.md); after an <see cref="OpType.Info"/> completion the process never invokes again.
/// </summary>
public sealed record Operation(OpType Type, int Process, string F, Datum? Value)
{
    /// <summary>The process id of the nemesis ("nemesis" on disk).</summary>
    public const int NemesisProcess = -1;

    /// <summary>Dense position in the history, stamped by the recorder or the reader.</summary>
    public long Index { get; init; } = -1;

    /// <summary>Nanoseconds since the test started, from a monotonic clock; -1 when unknown.</summary>
    public long TimeNanos { get; init; } = -1;

    /// <summary>Why a completion failed or is unknown, in a short machine-friendly form.</summary>
    public string? Error { get; init; }

    /// <summary>The node the operation was sent to, when known.</summary>
    public string? Node { get; init; }

    public bool IsInvoke => Type == OpType.Invoke;
    public bool IsOk => Type == OpType.Ok;
    public bool IsFail => Type == OpType.Fail;
    public bool IsInfo => Type == OpType.Info;
    public bool IsNemesis => Process == NemesisProcess;
    public bool IsClient => Process != NemesisProcess;

    public Operation Ok(Datum? value = null) => this with { Type = OpType.Ok, Value = value ?? Value, Error = null };
    public Operation Fail(string error) => this with { Type = OpType.Fail, Error = error };
    public Operation Info(string error) => this with { Type = OpType.Info, Error = error };

    public static Operation Invoke(int process, string f, Datum? value) => new(OpType.Invoke, process, f, value);

    public override string ToString() =>
        $"{Index} {Type.ToString().ToLowerInvariant()} {(IsNemesis ? "nemesis" : Process.ToString(System.Globalization.CultureInfo.InvariantCulture))} {F} {Value?.ToString() ?? "nil"}"
        + (Error is null ? "" : $" ({Error})");
}
