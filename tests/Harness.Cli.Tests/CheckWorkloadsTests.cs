namespace Harness.Cli.Tests;

public sealed class CheckWorkloadsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("harness-check-workloads-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // Write skew: each transaction reads both keys empty and appends to one.
    private const string WriteSkew = """
        {"index":0,"type":"invoke","process":0,"f":"txn","value":[["r",1,null],["r",2,null],["append",1,1]],"time":1}
        {"index":1,"type":"invoke","process":1,"f":"txn","value":[["r",1,null],["r",2,null],["append",2,1]],"time":2}
        {"index":2,"type":"ok","process":0,"f":"txn","value":[["r",1,[]],["r",2,[]],["append",1,1]],"time":3}
        {"index":3,"type":"ok","process":1,"f":"txn","value":[["r",1,[]],["r",2,[]],["append",2,1]],"time":4}
        """;

    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private string Write(string text)
    {
        var path = Path.Combine(_dir, "h.jsonl");
        File.WriteAllText(path, text);
        return path;
    }

    [Theory]
    [InlineData("serializable", 1, "invalid: not serializable: G2-item (1)")]
    [InlineData("snapshot-isolation", 0, "valid: snapshot-isolation: no forbidden anomaly in 2 transactions; anomalies the model allows: G2-item (1)")]
    public async Task Should_Judge_By_The_Consistency_Model_When_Checking_A_List_Append_History(string model, int exit, string verdict)
    {
        // Given a write-skew history
        var path = Write(WriteSkew);

        // When checked with --workload list-append --consistency MODEL
        var (code, stdout, stderr) = await RunAsync("check", path, "--workload", "list-append", "--consistency", model);

        // Then the verdict and exit code follow the model
        Assert.Equal("", stderr);
        Assert.Equal(exit, code);
        Assert.StartsWith($"{path}: {verdict}", stdout, StringComparison.Ordinal);
        if (exit == 1) Assert.Contains("T1 = op 2 (process 0): r 1 []; r 2 []; append 1 1", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_Print_One_Line_Listing_Models_When_The_Model_Is_Unknown()
    {
        // Given an unknown model
        var path = Write(WriteSkew);

        // When checked
        var (code, _, stderr) = await RunAsync("check", path, "--workload", "list-append", "--consistency", "snapshot");

        // Then one line lists the valid models and the exit code is 254
        Assert.Equal(254, code);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("strict-serializable", stderr, StringComparison.Ordinal);
    }
}
