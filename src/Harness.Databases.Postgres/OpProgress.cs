namespace Harness.Databases.Postgres;

/// <summary>How far an operation got: whether anything was sent, and whether its COMMIT was sent.</summary>
public sealed class OpProgress
{
    public bool Sent { get; set; }
    public bool Committing { get; set; }
}
