using Harness.Core.Control;
using Harness.Core.Histories;
using Npgsql;
using Harness.Core.Runs;

namespace Harness.Databases.Postgres;

/// <summary>
/// A set in <c>set_elems(v)</c>: add = INSERT on the primary; read = every element, also from the current
/// primary (after a failover that is the promoted node, so acknowledged adds it never received show up as lost).
/// </summary>
public sealed class PostgresSetClient(PostgresDatabase db, Node node) : PostgresClientBase(db, node)
{
    public static Task<Harness.Core.Clients.IClient> OpenAsync(PostgresDatabase db, RunContext run, Node node, CancellationToken ct) =>
        Task.FromResult<Harness.Core.Clients.IClient>(new PostgresSetClient(db, node));

    public override Task SetupAsync(CancellationToken ct) =>
        ExecuteDdlAsync("CREATE TABLE IF NOT EXISTS set_elems (v bigint PRIMARY KEY)", ct);

    public override Task<Operation> InvokeAsync(Operation op, CancellationToken ct) => op.F switch
    {
        "add" => RunAsync(op, WriteNode, OpKind.Write, async (conn, _, t) =>
        {
            await using var cmd = new NpgsqlCommand("INSERT INTO set_elems (v) VALUES ($1)", conn) { Parameters = { new() { Value = op.Value!.AsLong() } } };
            await cmd.ExecuteNonQueryAsync(t);
            return op.Ok();
        }, ct),
        "read" => RunAsync(op, WriteNode, OpKind.Read, async (conn, _, t) =>
        {
            await using var cmd = new NpgsqlCommand("SELECT v FROM set_elems ORDER BY v", conn);
            var values = new List<long>();
            await using var reader = await cmd.ExecuteReaderAsync(t);
            while (await reader.ReadAsync(t)) values.Add(reader.GetInt64(0));
            return op.Ok(Datum.Ints([.. values]));
        }, ct),
        _ => throw new ArgumentException($"the set client has no '{op.F}'", nameof(op)),
    };
}
