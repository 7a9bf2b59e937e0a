using System.Globalization;
using Harness.Core.Control;
using Harness.Core.Histories;
using MySqlConnector;

namespace Harness.Databases.MySql;

/// <summary>
/// Keyed registers in <c>registers(id, val)</c>: write = upsert, cas = <c>UPDATE ... WHERE val = old</c> (0 rows:
/// Fail), read = SELECT (routed per --read-from). Values {"key":k,"value":v}, cas {"key":k,"value":[old,new]}.
/// </summary>
public sealed class MySqlRegisterClient(MySqlDatabase db, Node node) : MySqlClientBase(db, node)
{
    public override Task SetupAsync(CancellationToken ct) =>
        ExecuteSetupAsync("CREATE TABLE IF NOT EXISTS registers (id BIGINT PRIMARY KEY, val BIGINT) ENGINE=InnoDB", ct);

    public override Task<Operation> InvokeAsync(Operation op, CancellationToken ct)
    {
        var key = op.Value?.Get("key")?.AsLong() ?? throw new ArgumentException($"register op without a key: {op}", nameof(op));
        var value = op.Value.Get("value") ?? Datum.Nil;
        return op.F switch
        {
            "read" => RunAsync(op, ReadNode, OpKind.Read, async (conn, _, t) =>
            {
                await using var cmd = new MySqlCommand("SELECT val FROM registers WHERE id = @id", conn);
                cmd.Parameters.AddWithValue("@id", key);
                var v = await cmd.ExecuteScalarAsync(t);
                return op.Ok(KeyValue(key, v is long l ? Datum.Of(l) : Datum.Nil));
            }, ct),
            "write" => RunAsync(op, WriteNode, OpKind.Write, async (conn, _, t) =>
            {
                await using var cmd = new MySqlCommand("INSERT INTO registers (id, val) VALUES (@id, @v) ON DUPLICATE KEY UPDATE val = VALUES(val)", conn);
                cmd.Parameters.AddWithValue("@id", key);
                cmd.Parameters.AddWithValue("@v", value.AsLong());
                await cmd.ExecuteNonQueryAsync(t);
                return op.Ok();
            }, ct),
            "cas" => RunAsync(op, WriteNode, OpKind.Write, async (conn, _, t) =>
            {
                await using var cmd = new MySqlCommand("UPDATE registers SET val = @new WHERE id = @id AND val = @old", conn);
                cmd.Parameters.AddWithValue("@id", key);
                cmd.Parameters.AddWithValue("@old", value[0].AsLong());
                cmd.Parameters.AddWithValue("@new", value[1].AsLong());
                return await cmd.ExecuteNonQueryAsync(t) == 1 ? op.Ok() : op.Fail("cas-mismatch");
            }, ct),
            _ => throw new ArgumentException($"the register client has no '{op.F}'", nameof(op)),
        };
    }

    private static Datum KeyValue(long key, Datum value) =>
        Datum.Map([new(Datum.Of("key"), Datum.Of(key)), new(Datum.Of("value"), value)]);
}

/// <summary>
/// A set in <c>set_elems(v)</c>: add = INSERT on the write node; read = every element from the write node (after
/// a failover that is the promoted node, so acknowledged adds it never received show up as lost).
/// </summary>
public sealed class MySqlSetClient(MySqlDatabase db, Node node) : MySqlClientBase(db, node)
{
    public override Task SetupAsync(CancellationToken ct) =>
        ExecuteSetupAsync("CREATE TABLE IF NOT EXISTS set_elems (v BIGINT PRIMARY KEY) ENGINE=InnoDB", ct);

    public override Task<Operation> InvokeAsync(Operation op, CancellationToken ct) => op.F switch
    {
        "add" => RunAsync(op, WriteNode, OpKind.Write, async (conn, _, t) =>
        {
            await using var cmd = new MySqlCommand("INSERT INTO set_elems (v) VALUES (@v)", conn);
            cmd.Parameters.AddWithValue("@v", op.Value!.AsLong());
            await cmd.ExecuteNonQueryAsync(t);
            return op.Ok();
        }, ct),
        "read" => RunAsync(op, WriteNode, OpKind.Read, async (conn, _, t) =>
        {
            await using var cmd = new MySqlCommand("SELECT v FROM set_elems ORDER BY v", conn);
            var values = new List<long>();
            await using var reader = await cmd.ExecuteReaderAsync(t);
            while (await reader.ReadAsync(t)) values.Add(reader.GetInt64(0));
            return op.Ok(Datum.Ints([.. values]));
        }, ct),
        _ => throw new ArgumentException($"the set client has no '{op.F}'", nameof(op)),
    };
}

/// <summary>
/// The session workload: single micro-op list-append ops, each one autocommit statement. Appends go to the write
/// node; reads go where --read-from says (replica = this client's sticky replica: a client process is a session).
/// </summary>
public sealed class MySqlSessionClient(MySqlDatabase db, Node node) : MySqlClientBase(db, node)
{
    public override Task SetupAsync(CancellationToken ct) => ExecuteSetupAsync(ListAppendSql.CreateTable, ct);

    public override Task<Operation> InvokeAsync(Operation op, CancellationToken ct)
    {
        if (op.F != "txn" || op.Value is not { IsSeq: true } txn) throw new ArgumentException($"the session client takes f txn with micro-ops, not {op}", nameof(op));
        var readOnly = ListAppendSql.IsReadOnly(txn);
        return RunAsync(op, readOnly ? ReadNode : WriteNode, readOnly ? OpKind.Read : OpKind.Write, async (conn, _, t) =>
            op.Ok(await ListAppendSql.ApplyAsync(conn, null, txn, t)), ct);
    }
}

/// <summary>list-append transactions at --isolation, one explicit transaction each; read-only ones follow --read-from.</summary>
public sealed class MySqlListAppendClient(MySqlDatabase db, Node node) : MySqlClientBase(db, node)
{
    public override Task SetupAsync(CancellationToken ct) => ExecuteSetupAsync(ListAppendSql.CreateTable, ct);

    public override Task<Operation> InvokeAsync(Operation op, CancellationToken ct)
    {
        if (op.F != "txn" || op.Value is not { IsSeq: true } txn) throw new ArgumentException($"the list-append client takes f txn with micro-ops, not {op}", nameof(op));
        var readOnly = ListAppendSql.IsReadOnly(txn);
        return RunAsync(op, readOnly ? ReadNode : WriteNode, readOnly ? OpKind.Read : OpKind.Transaction, async (conn, progress, t) =>
            op.Ok(await InTransactionAsync(conn, progress, tx => ListAppendSql.ApplyAsync(conn, tx, txn, t), t)), ct);
    }
}

/// <summary>
/// Bank accounts in <c>accounts(id, balance)</c>: transfer {"from":a,"to":b,"amount":n} reads the source balance and
/// updates both in one transaction at --isolation (an overdraft fails with "insufficient-funds"); read returns every
/// balance {"0":20,...} from one transaction.
/// </summary>
public sealed class MySqlBankClient(MySqlDatabase db, Node node, int accounts, long initialBalance) : MySqlClientBase(db, node)
{
    public override async Task SetupAsync(CancellationToken ct)
    {
        var rows = string.Join(", ", Enumerable.Range(0, accounts).Select(i => $"({i.ToString(CultureInfo.InvariantCulture)}, {initialBalance.ToString(CultureInfo.InvariantCulture)})"));
        await ExecuteSetupAsync("CREATE TABLE IF NOT EXISTS accounts (id BIGINT PRIMARY KEY, balance BIGINT NOT NULL) ENGINE=InnoDB; " +
            $"INSERT IGNORE INTO accounts (id, balance) VALUES {rows}", ct);
    }

    public override Task<Operation> InvokeAsync(Operation op, CancellationToken ct) => op.F switch
    {
        "read" => RunAsync(op, ReadNode, OpKind.Read, async (conn, progress, t) =>
        {
            var balances = await InTransactionAsync(conn, progress, async tx =>
            {
                await using var cmd = new MySqlCommand("SELECT id, balance FROM accounts ORDER BY id", conn, tx);
                await using var reader = await cmd.ExecuteReaderAsync(t);
                var entries = new List<KeyValuePair<Datum, Datum>>();
                while (await reader.ReadAsync(t))
                    entries.Add(new(Datum.Of(reader.GetInt64(0).ToString(CultureInfo.InvariantCulture)), Datum.Of(reader.GetInt64(1))));
                return Datum.Map(entries);
            }, t);
            return op.Ok(balances);
        }, ct),
        "transfer" => RunAsync(op, WriteNode, OpKind.Transaction, async (conn, progress, t) =>
        {
            var from = op.Value!.Get("from")!.AsLong();
            var to = op.Value.Get("to")!.AsLong();
            var amount = op.Value.Get("amount")!.AsLong();
            var ok = await InTransactionAsync(conn, progress, async tx =>
            {
                await using var read = new MySqlCommand("SELECT balance FROM accounts WHERE id = @id", conn, tx);
                read.Parameters.AddWithValue("@id", from);
                var balance = await read.ExecuteScalarAsync(t) is long b ? b : 0;
                if (balance - amount < 0) return false;
                // update in account order, so two opposite transfers queue on a row lock instead of deadlocking
                foreach (var (id, delta) in from < to ? new[] { (from, -amount), (to, amount) } : [(to, amount), (from, -amount)])
                {
                    await using var update = new MySqlCommand("UPDATE accounts SET balance = balance + @d WHERE id = @id", conn, tx);
                    update.Parameters.AddWithValue("@id", id);
                    update.Parameters.AddWithValue("@d", delta);
                    await update.ExecuteNonQueryAsync(t);
                }
                return true;
            }, t);
            return ok ? op.Ok() : op.Fail("insufficient-funds");
        }, ct),
        _ => throw new ArgumentException($"the bank client has no '{op.F}'", nameof(op)),
    };
}
