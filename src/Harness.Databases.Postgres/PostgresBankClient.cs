using System.Globalization;
using Harness.Core.Control;
using Harness.Core.Histories;
using Npgsql;
using Harness.Core.Runs;

namespace Harness.Databases.Postgres;

/// <summary>
/// Bank accounts in <c>accounts(id, balance)</c>: transfer {"from":a,"to":b,"amount":n} reads both balances and
/// updates them in one transaction at --isolation (an overdraft fails with "insufficient-funds"); read returns
/// every balance {"0":20,...} from one transaction (on the primary, or per --read-from).
/// </summary>
public sealed class PostgresBankClient(PostgresDatabase db, Node node, int accounts, long initialBalance) : PostgresClientBase(db, node)
{
    public static Task<Harness.Core.Clients.IClient> OpenAsync(PostgresDatabase db, RunContext run, Node node, int accounts, long initialBalance, CancellationToken ct) =>
        Task.FromResult<Harness.Core.Clients.IClient>(new PostgresBankClient(db, node, accounts, initialBalance));

    public override async Task SetupAsync(CancellationToken ct)
    {
        await ExecuteDdlAsync("CREATE TABLE IF NOT EXISTS accounts (id bigint PRIMARY KEY, balance bigint NOT NULL)", ct);
        await ExecuteDdlAsync(
            $"INSERT INTO accounts (id, balance) SELECT g, {initialBalance.ToString(CultureInfo.InvariantCulture)} FROM generate_series(0, {(accounts - 1).ToString(CultureInfo.InvariantCulture)}) g ON CONFLICT (id) DO NOTHING", ct);
    }

    public override Task<Operation> InvokeAsync(Operation op, CancellationToken ct) => op.F switch
    {
        "read" => ReadAsync(op, ReadNode, ct),
        "transfer" => TransferAsync(op, ct),
        _ => throw new ArgumentException($"the bank client has no '{op.F}'", nameof(op)),
    };

    private Task<Operation> ReadAsync(Operation op, Node target, CancellationToken ct) =>
        RunAsync(op, target, OpKind.Read, async (conn, progress, t) =>
        {
            var onStandby = target != Db.Primary;
            var balances = await InTransactionAsync(conn, progress, onStandby, async tx =>
            {
                await using var cmd = new NpgsqlCommand("SELECT id, balance FROM accounts ORDER BY id", conn, tx);
                await using var reader = await cmd.ExecuteReaderAsync(t);
                var entries = new List<KeyValuePair<Datum, Datum>>();
                while (await reader.ReadAsync(t))
                    entries.Add(new(Datum.Of(reader.GetInt64(0).ToString(CultureInfo.InvariantCulture)), Datum.Of(reader.GetInt64(1))));
                return Datum.Map(entries);
            }, t);
            return op.Ok(balances);
        }, ct);

    private Task<Operation> TransferAsync(Operation op, CancellationToken ct) =>
        RunAsync(op, WriteNode, OpKind.Transaction, async (conn, progress, t) =>
        {
            var from = op.Value!.Get("from")!.AsLong();
            var to = op.Value.Get("to")!.AsLong();
            var amount = op.Value.Get("amount")!.AsLong();
            var ok = await InTransactionAsync(conn, progress, false, async tx =>
            {
                await using var read = new NpgsqlCommand("SELECT balance FROM accounts WHERE id = $1", conn, tx) { Parameters = { new() { Value = from } } };
                var balance = await read.ExecuteScalarAsync(t) as long? ?? 0;
                if (balance - amount < 0) return false;
                // Update in account order, so two opposite transfers queue on a row lock instead of deadlocking.
                foreach (var (id, delta) in from < to ? new[] { (from, -amount), (to, amount) } : [(to, amount), (from, -amount)])
                {
                    await using var update = new NpgsqlCommand("UPDATE accounts SET balance = balance + $2 WHERE id = $1", conn, tx)
                    { Parameters = { new() { Value = id }, new() { Value = delta } } };
                    await update.ExecuteNonQueryAsync(t);
                }
                return true;
            }, t);
            return ok ? op.Ok() : op.Fail("insufficient-funds");
        }, ct);
}
