using Harness.Core.Running;

namespace Harness.Core.Tests.Running;

public sealed class ResultStoreLegacyOptionsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("harness-store-legacy-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Should_Read_A_Run_Stored_Before_Databases_Owned_Their_Options()
    {
        // Given a test.json written when PostgreSQL's knobs were common options
        File.WriteAllText(Path.Combine(_dir, ResultStore.TestFile), """
            {"name": "postgres-set", "options": {"database": "postgres", "workload": "set", "replication": "sync",
             "syncReplicas": 2, "readFrom": "replica", "failover": "promote", "fencing": true, "isolation": "read-committed", "bugs": []}}
            """);

        // When it is read
        var options = ResultStore.ReadOptions(_dir);

        // Then the knobs are the database's own options, under the names the suite uses
        Assert.Equal("set", options.Workload);
        Assert.Equal("sync", options.DatabaseOptions["replication"]);
        Assert.Equal("2", options.DatabaseOptions["sync-replicas"]);
        Assert.Equal("replica", options.DatabaseOptions["read-from"]);
        Assert.Equal("true", options.DatabaseOptions["fencing"]);
        Assert.Equal("read-committed", options.DatabaseOptions["isolation"]);
        Assert.False(options.DatabaseOptions.ContainsKey("bug"));
    }

    [Fact]
    public void Should_Keep_The_Memory_Databases_Bugs_From_An_Old_Run()
    {
        // Given
        File.WriteAllText(Path.Combine(_dir, ResultStore.TestFile), """
            {"name": "memory-set", "options": {"database": "memory", "workload": "set", "replication": "async", "bugs": ["lost-write", "stale-read"]}}
            """);

        // When / Then
        var options = ResultStore.ReadOptions(_dir);
        Assert.Equal("lost-write,stale-read", options.DatabaseOptions["bug"]);
        Assert.False(options.DatabaseOptions.ContainsKey("replication"));
    }
}
