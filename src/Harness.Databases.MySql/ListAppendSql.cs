using Harness.Core.Histories;
using MySqlConnector;

namespace Harness.Databases.MySql;

/// <summary>Lists in <c>lists(k, vals)</c> as comma-separated text: append = upsert with CONCAT, read = the values ([] when absent).</summary>
internal static class ListAppendSql
{
    public const string CreateTable = "CREATE TABLE IF NOT EXISTS lists (k BIGINT PRIMARY KEY, vals TEXT NOT NULL) ENGINE=InnoDB";

    public static async Task AppendAsync(MySqlConnection conn, MySqlTransaction? tx, long key, long value, CancellationToken ct)
    {
        await using var cmd = new MySqlCommand(
            "INSERT INTO lists (k, vals) VALUES (@k, @v) ON DUPLICATE KEY UPDATE vals = CONCAT(vals, ',', VALUES(vals))", conn, tx);
        cmd.Parameters.AddWithValue("@k", key);
        cmd.Parameters.AddWithValue("@v", value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public static async Task<Datum> ReadAsync(MySqlConnection conn, MySqlTransaction? tx, long key, CancellationToken ct)
    {
        await using var cmd = new MySqlCommand("SELECT vals FROM lists WHERE k = @k", conn, tx);
        cmd.Parameters.AddWithValue("@k", key);
        var v = await cmd.ExecuteScalarAsync(ct);
        return Datum.Ints(v is string s && s.Length > 0 ? [.. s.Split(',').Select(x => long.Parse(x, System.Globalization.CultureInfo.InvariantCulture))] : []);
    }

    /// <summary>Applies micro-ops [["append",k,v] | ["r",k,null]] in order and returns them with read results filled in.</summary>
    public static async Task<Datum> ApplyAsync(MySqlConnection conn, MySqlTransaction? tx, Datum txn, CancellationToken ct)
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
