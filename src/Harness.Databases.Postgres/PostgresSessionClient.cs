using Harness.Core.Control;
using Harness.Core.Histories;
using Harness.Core.Runs;

namespace Harness.Databases.Postgres;

/// <summary>
/// The session workload: single micro-op list-append ops, each one autocommit statement. Appends go to the
/// primary; reads go where --read-from says (replica = this client's sticky replica, so a client process is
/// a session bound to one replica; any = a random node per read).
/// </summary>
public sealed class PostgresSessionClient(PostgresDatabase db, Node node) : PostgresClientBase(db, node)
{
    public static Task<Harness.Core.Clients.IClient> OpenAsync(PostgresDatabase db, RunContext run, Node node, CancellationToken ct) =>
        Task.FromResult<Harness.Core.Clients.IClient>(new PostgresSessionClient(db, node));

    public override Task SetupAsync(CancellationToken ct) => ExecuteDdlAsync(ListAppendSql.CreateTable, ct);

    public override Task<Operation> InvokeAsync(Operation op, CancellationToken ct)
    {
        if (op.F != "txn" || op.Value is not { IsSeq: true } txn) throw new ArgumentException($"the session client takes f txn with micro-ops, not {op}", nameof(op));
        var readOnly = ListAppendSql.IsReadOnly(txn);
        return RunAsync(op, readOnly ? ReadNode : WriteNode, readOnly ? OpKind.Read : OpKind.Write, async (conn, _, t) =>
            op.Ok(await ListAppendSql.ApplyAsync(conn, null, txn, t)), ct);
    }
}
