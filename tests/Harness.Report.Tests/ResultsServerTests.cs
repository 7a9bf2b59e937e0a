using System.Net;
using System.Net.Sockets;

namespace Harness.Report.Tests;

public sealed class ResultsServerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("harness-serve-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    [Fact]
    public async Task Should_Serve_Index_And_Reports_On_Loopback_When_Running()
    {
        // Given a results root with one reported run, served on a free port
        var dir = SampleHistory.WriteRun(_root, "register", "20261122T010000Z", SampleHistory.Register(20), null);
        ReportWriter.WriteRun(dir);
        using var server = new ResultsServer(_root, FreePort());
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var running = server.RunAsync(cts.Token);
        using var http = new HttpClient();

        // When the index, a report and a missing file are requested
        var index = await http.GetAsync(new Uri(server.Url), cts.Token);
        var report = await http.GetAsync(new Uri(server.Url + "register/20261122T010000Z/report.html"), cts.Token);
        var missing = await http.GetAsync(new Uri(server.Url + "nope.html"), cts.Token);

        // Then the index (generated on demand) and the report are served as HTML, the missing file is 404
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Contains("harness results", await index.Content.ReadAsStringAsync(cts.Token), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        Assert.Equal("text/html", report.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.StartsWith("http://127.0.0.1:", server.Url, StringComparison.Ordinal);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    [Theory]
    [InlineData("/../etc/passwd")]
    [InlineData("/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("/register/../../x")]
    public void Should_Refuse_Paths_Outside_The_Root_When_Resolving(string urlPath)
    {
        // Given a server on a results root
        using var server = new ResultsServer(_root, FreePort());

        // When / Then a path escaping the root resolves to nothing
        Assert.Null(server.Resolve(urlPath));
    }

    [Fact]
    public async Task Should_Answer_404_When_A_Symbolic_Link_Leads_Out_Of_The_Root()
    {
        // Given a results root holding links out of it (a directory and a file), a link inside it (like latest),
        // and a file outside it
        var outside = Directory.CreateTempSubdirectory("harness-serve-outside-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(outside, "secret.txt"), "secret");
            Directory.CreateSymbolicLink(Path.Combine(_root, "out"), outside);
            File.CreateSymbolicLink(Path.Combine(_root, "secret.txt"), Path.Combine(outside, "secret.txt"));
            var dir = SampleHistory.WriteRun(_root, "register", "20261122T010000Z", SampleHistory.Register(20), null);
            ReportWriter.WriteRun(dir);
            Directory.CreateSymbolicLink(Path.Combine(_root, "latest"), Path.Combine("register", "20261122T010000Z"));
            using var server = new ResultsServer(_root, FreePort());
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            var running = server.RunAsync(cts.Token);
            using var http = new HttpClient();

            // When files are requested through each link
            var viaDir = await http.GetAsync(new Uri(server.Url + "out/secret.txt"), cts.Token);
            var viaFile = await http.GetAsync(new Uri(server.Url + "secret.txt"), cts.Token);
            var viaLatest = await http.GetAsync(new Uri(server.Url + "latest/report.html"), cts.Token);

            // Then only the link that stays inside the root is followed
            Assert.Equal(HttpStatusCode.NotFound, viaDir.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, viaFile.StatusCode);
            Assert.DoesNotContain("secret", await viaDir.Content.ReadAsStringAsync(cts.Token), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, viaLatest.StatusCode);
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public void Should_Resolve_Every_Link_When_Computing_A_Real_Path()
    {
        // Given a/b -> ../c (relative), c/d a file, and a link loop
        Directory.CreateDirectory(Path.Combine(_root, "a"));
        Directory.CreateDirectory(Path.Combine(_root, "c"));
        File.WriteAllText(Path.Combine(_root, "c", "d"), "");
        Directory.CreateSymbolicLink(Path.Combine(_root, "a", "b"), "../c");
        File.CreateSymbolicLink(Path.Combine(_root, "loop"), "loop");

        // When / Then the link is resolved, a loop has no real path
        var real = ResultsServer.RealPath(_root)!;
        Assert.Equal(Path.Combine(real, "c", "d"), ResultsServer.RealPath(Path.Combine(_root, "a", "b", "d")));
        Assert.Null(ResultsServer.RealPath(Path.Combine(_root, "loop")));
    }
}
