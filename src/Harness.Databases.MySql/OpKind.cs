namespace Harness.Databases.MySql;

/// <summary>What an operation does, which decides how an error completes it.</summary>
public enum OpKind
{
    /// <summary>Reads only: any error means it had no effect (Fail).</summary>
    Read,
    /// <summary>One autocommit statement: an error after sending it may hide a commit (Info) unless the server rejected it.</summary>
    Write,
    /// <summary>An explicit transaction: errors before COMMIT is sent are definite (Fail), during COMMIT unknown (Info) unless definite.</summary>
    Transaction,
}

/// <summary>How far an operation got: whether anything was sent, and whether its COMMIT was sent.</summary>
public sealed class OpProgress
{
    public bool Sent { get; set; }
    public bool Committing { get; set; }
}
