using Harness.Core.Control;
using Harness.Core.Histories;
using Harness.Core.Runs;

namespace Harness.Databases.Postgres;

/// <summary>
/// list-append transactions (f txn, value [["append",k,v],["r",k,null]]) at --isolation, in one explicit
/// transaction each. Read-only transactions follow --read-from (on a standby they run at repeatable read,
/// the strongest level a hot standby offers); the others go to the primary.
/// </summary>
public sealed class PostgresListAppendClient(PostgresDatabase db, Node node) : PostgresClientBase(db, node)
{
    public static Task<Harness.Core.Clients.IClient> OpenAsync(PostgresDatabase db, RunContext run, Node node, CancellationToken ct) =>
        Task.FromResult<Harness.Core.Clients.IClient>(new PostgresListAppendClient(db, node));

    public override Task SetupAsync(CancellationToken ct) => ExecuteDdlAsync(ListAppendSql.CreateTable, ct);

    public override Task<Operation> InvokeAsync(Operation op, CancellationToken ct)
    {
        if (op.F != "txn" || op.Value is not { IsSeq: true } txn) throw new ArgumentException($"the list-append client takes f txn with micro-ops, not {op}", nameof(op));
        var readOnly = ListAppendSql.IsReadOnly(txn);
        var target = readOnly ? ReadNode : WriteNode;
        var onStandby = target != Db.Primary;
        return RunAsync(op, target, readOnly ? OpKind.Read : OpKind.Transaction, async (conn, progress, t) =>
            op.Ok(await InTransactionAsync(conn, progress, onStandby, tx => ListAppendSql.ApplyAsync(conn, tx, txn, t), t)), ct);
    }
}
