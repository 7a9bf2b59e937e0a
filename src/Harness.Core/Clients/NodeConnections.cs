using System.Data;
using System.Data.Common;
using Harness.Core.Control;

namespace Harness.Core.Clients;

/// <summary>
/// A client's long-lived ADO.NET connections, one per node, opened at first use. One that is no longer open, or that
/// the client dropped after an error that may have broken it, is replaced at the next use. Closing never throws.
/// </summary>
/// <param name="create">a new, unopened connection to the node (with any event handlers the client wants)</param>
public sealed class NodeConnections<TConnection>(Func<Node, TConnection> create) : IAsyncDisposable where TConnection : DbConnection
{
    private readonly Dictionary<string, TConnection> _open = [];

    /// <summary>The node's open connection, opening a new one when there is none.</summary>
    public async Task<TConnection> GetAsync(Node node, CancellationToken ct)
    {
        if (_open.TryGetValue(node.Name, out var existing) && existing.State == ConnectionState.Open) return existing;
        if (existing is not null) await DropAsync(node);
        var conn = create(node);
        try
        {
            await conn.OpenAsync(ct);
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
        _open[node.Name] = conn;
        return conn;
    }

    /// <summary>Closes the node's connection, if any; the next <see cref="GetAsync"/> opens a new one.</summary>
    public Task DropAsync(Node node) => DropAsync(node.Name);

    private async Task DropAsync(string name)
    {
        if (!_open.Remove(name, out var conn)) return;
        try { await conn.DisposeAsync(); }
        catch (Exception e) when (e is DbException or IOException or TimeoutException) { }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var name in _open.Keys.ToList()) await DropAsync(name);
    }
}
