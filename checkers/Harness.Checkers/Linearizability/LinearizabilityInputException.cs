namespace Harness.Checkers.Linearizability;

/// <summary>An operation the model cannot interpret (wrong f or value shape); the check becomes Unknown.</summary>
public sealed class LinearizabilityInputException(string message) : Exception(message);
