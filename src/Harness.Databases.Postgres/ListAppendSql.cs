using Harness.Core.Histories;
using Npgsql;

namespace Harness.Databases.Postgres;

/// <summary>Lists in <c>lists(k, vals bigint[])</c>: append = upsert with array concatenation, read = the array ([] when absent).</summary>
internal static class ListAppendSql
{
    public const string CreateTable = "CREATE TABLE IF NOT EXISTS lists (k bigint PRIMARY KEY, vals bigint[] NOT NULL)";

    public static async Task AppendAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, long key, long value, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "INSERT INTO lists (k, vals) VALUES ($1, ARRAY[$2::bigint]) ON CONFLICT (k) DO UPDATE SET vals = lists.vals || excluded.vals", conn, tx)
        { Parameters = { new() { Value = key }, new() { Value = value } } };
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public static async Task<Datum> ReadAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, long key, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT vals FROM lists WHERE k = $1", conn, tx) { Parameters = { new() { Value = key } } };
        var v = await cmd.ExecuteScalarAsync(ct);
        return Datum.Ints(v is long[] values ? values : []);
    }

    /// <summary>Applies micro-ops [["append",k,v] | ["r",k,null]] in order and returns them with read results filled in.</summary>
    public static async Task<Datum> ApplyAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, Datum txn, CancellationToken ct)
    {
        var results = new List<Datum>(txn.Count);
        foreach (var m in txn.Items)
        {
            var f = m[0].AsName();
            var key = m[1].AsLong();
            if (f == "append")
            {
                await AppendAsync(conn, tx, key, m[2].AsLong(), ct);
                results.Add(m);
            }
            else if (f == "r")
            {
                results.Add(Datum.Vec(m[0], m[1], await ReadAsync(conn, tx, key, ct)));
            }
            else
            {
                throw new ArgumentException($"unknown micro-op '{f}' in {txn}", nameof(txn));
            }
        }
        return Datum.Vec(results);
    }

    public static bool IsReadOnly(Datum txn) => txn.Items.All(m => m[0].AsName() == "r");
}
