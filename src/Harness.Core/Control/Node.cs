namespace Harness.Core.Control;

/// <summary>A node of the cluster: its name (n1..nN), its address, and its 1-based number.</summary>
public sealed record Node(string Name, string Address, int Number)
{
    public override string ToString() => Name;
}
