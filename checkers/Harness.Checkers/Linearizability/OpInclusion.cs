namespace Harness.Checkers.Linearizability;

/// <summary>How a model treats one operation in the search.</summary>
public enum OpInclusion
{
    /// <summary>Leave it out: it certainly did not happen (a fail), or it cannot constrain anything (an unknown read).</summary>
    Skip,
    /// <summary>It happened between its invocation and its completion: it must be linearized there.</summary>
    Required,
    /// <summary>Outcome unknown: it may take effect at any point after its invocation, or never.</summary>
    Optional,
}
