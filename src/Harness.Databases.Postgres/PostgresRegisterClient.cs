using Harness.Core.Control;
using Harness.Core.Histories;
using Npgsql;
using Harness.Core.Runs;

namespace Harness.Databases.Postgres;

/// <summary>
/// Keyed registers in <c>registers(id, val)</c>: write = upsert, cas = <c>UPDATE ... WHERE val = old</c>
/// (0 rows: Fail), read = SELECT (routed per --read-from). Values {"key":k,"value":v}, cas {"key":k,"value":[old,new]}.
/// </summary>
public sealed class PostgresRegisterClient(PostgresDatabase db, Node node) : PostgresClientBase(db, node)
{
    public static Task<Harness.Core.Clients.IClient> OpenAsync(PostgresDatabase db, RunContext run, Node node, CancellationToken ct) =>
        Task.FromResult<Harness.Core.Clients.IClient>(new PostgresRegisterClient(db, node));

    public override Task SetupAsync(CancellationToken ct) =>
        ExecuteDdlAsync("CREATE TABLE IF NOT EXISTS registers (id bigint PRIMARY KEY, val bigint)", ct);

    public override Task<Operation> InvokeAsync(Operation op, CancellationToken ct)
    {
        var key = op.Value?.Get("key")?.AsLong() ?? throw new ArgumentException($"register op without a key: {op}", nameof(op));
        var value = op.Value.Get("value") ?? Datum.Nil;
        return op.F switch
        {
            "read" => RunAsync(op, ReadNode, OpKind.Read, async (conn, _, t) =>
            {
                await using var cmd = new NpgsqlCommand("SELECT val FROM registers WHERE id = $1", conn) { Parameters = { new() { Value = key } } };
                var v = await cmd.ExecuteScalarAsync(t);
                return op.Ok(KeyValue(key, v is long l ? Datum.Of(l) : Datum.Nil));
            }, ct),
            "write" => RunAsync(op, WriteNode, OpKind.Write, async (conn, _, t) =>
            {
                await using var cmd = new NpgsqlCommand(
                    "INSERT INTO registers (id, val) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET val = excluded.val", conn)
                { Parameters = { new() { Value = key }, new() { Value = value.AsLong() } } };
                await cmd.ExecuteNonQueryAsync(t);
                return op.Ok();
            }, ct),
            "cas" => RunAsync(op, WriteNode, OpKind.Write, async (conn, _, t) =>
            {
                await using var cmd = new NpgsqlCommand("UPDATE registers SET val = $3 WHERE id = $1 AND val = $2", conn)
                { Parameters = { new() { Value = key }, new() { Value = value[0].AsLong() }, new() { Value = value[1].AsLong() } } };
                return await cmd.ExecuteNonQueryAsync(t) == 1 ? op.Ok() : op.Fail("cas-mismatch");
            }, ct),
            _ => throw new ArgumentException($"the register client has no '{op.F}'", nameof(op)),
        };
    }

    private static Datum KeyValue(long key, Datum value) =>
        Datum.Map([new(Datum.Of("key"), Datum.Of(key)), new(Datum.Of("value"), value)]);
}
