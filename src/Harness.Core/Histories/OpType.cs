namespace Harness.Core.Histories;

/// <summary>The four kinds of history event (Jepsen's :invoke :ok :fail :info).</summary>
public enum OpType
{
    /// <summary>A process starts an operation.</summary>
    Invoke,
    /// <summary>The operation happened.</summary>
    Ok,
    /// <summary>The operation certainly did not happen.</summary>
    Fail,
    /// <summary>Outcome unknown: it may take effect at any point after its invocation, or never.</summary>
    Info,
}
