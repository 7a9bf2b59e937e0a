using System.CommandLine;
using Harness.Core;
using Harness.Report;

namespace Harness.Cli.Commands;

/// <summary><c>harness serve [--port P] [--dir results]</c>: serves the results directory on 127.0.0.1 only.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port", "-p") { Description = "TCP port on 127.0.0.1", DefaultValueFactory = _ => 8080 };
        var dir = new Option<string>("--dir") { Description = "The results directory to serve", DefaultValueFactory = _ => "results" };
        var command = new Command("serve", "Serve results/ (index and reports) on http://127.0.0.1:PORT/ until Ctrl+C") { port, dir };
        command.SetAction(async (parse, ct) =>
        {
            var root = parse.GetValue(dir)!;
            var p = parse.GetValue(port);
            if (p is < 1 or > 65535) throw new UserErrorException($"--port {p} is not a TCP port (1-65535)");
            if (!Directory.Exists(root)) throw new UserErrorException($"{root} does not exist; run a test first or pass --dir");
            ReportWriter.WriteIndex(root);
            using var server = new ResultsServer(root, p);
            await parse.InvocationConfiguration.Output.WriteLineAsync($"serving {Path.GetFullPath(root)} on {server.Url} (Ctrl+C to stop)".AsMemory(), ct);
            try
            {
                await server.RunAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            return 0;
        });
        return command;
    }
}
