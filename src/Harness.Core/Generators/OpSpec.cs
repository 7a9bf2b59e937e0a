using Harness.Core.Histories;

namespace Harness.Core.Generators;

/// <summary>The f and value of an invocation, before a process and a time are chosen for it.</summary>
public readonly record struct OpSpec(string F, Datum? Value);
