namespace Harness.Databases.Postgres;

/// <summary>What an operation does, which decides how an error completes it.</summary>
public enum OpKind
{
    /// <summary>Reads only: any error means it had no effect (Fail).</summary>
    Read,
    /// <summary>One autocommit statement: an error after sending it may hide a commit (Info) unless the server reported a plain ERROR.</summary>
    Write,
    /// <summary>An explicit transaction: errors before COMMIT is sent are definite (Fail), during COMMIT unknown (Info).</summary>
    Transaction,
}
