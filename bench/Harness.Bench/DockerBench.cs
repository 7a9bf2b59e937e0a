using System.Diagnostics;
using System.Globalization;
using Docker.DotNet;
using Harness.Core.Control;
using Harness.Provisioning.Docker;

namespace Harness.Bench;

/// <summary>
/// The docker provisioner's costs, measured side by side with netns in one run (as root).
/// <c>docker [runs=3]</c>: command to first operation on 3 PostgreSQL nodes with the image cached: the harness CLI
/// in a child process (<c>dotnet harness.dll test postgres [--provisioner docker] --workload register</c>), from its
/// start to the first line of its history.jsonl, then to its exit; netns and docker alternate.
/// <c>docker-build [packages...]</c>: the one-time image build from nothing (debootstrap, then the packages), in a
/// fresh cache root (HARNESS_DOCKER_CACHE under /var/tmp, removed afterwards, so the real cache is untouched): build
/// time and image size for PostgreSQL's and MariaDB's packages (or those given).
/// </summary>
internal static class DockerBench
{
    public static async Task<int> FirstOperationAsync(string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        var results = Directory.CreateTempSubdirectory("harness-bench-docker-").FullName;
        var times = new Dictionary<string, List<(double First, double Total)>> { ["netns"] = [], ["docker"] = [] };
        try
        {
            for (var i = 0; i < runs; i++)
                foreach (var provisioner in times.Keys)
                {
                    var (first, total, exit) = await RunOnceAsync(provisioner, results);
                    times[provisioner].Add((first, total));
                    Console.WriteLine($"  {provisioner,-6} run {i + 1}: first operation {first:0.00} s, exit {exit} after {total:0.00} s");
                }
        }
        finally
        {
            Directory.Delete(results, recursive: true);
        }
        static double Median(IEnumerable<double> xs) { var s = xs.Order().ToList(); return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2; }
        var (nf, nt) = (Median(times["netns"].Select(t => t.First)), Median(times["netns"].Select(t => t.Total)));
        var (df, dt) = (Median(times["docker"].Select(t => t.First)), Median(times["docker"].Select(t => t.Total)));
        Console.WriteLine($"docker: command to first operation, 3 PostgreSQL nodes, image cached, median of {runs}, {Environment.ProcessorCount} cores, load {Load()}");
        Console.WriteLine($"  netns  {nf:0.00} s (whole 3 s run {nt:0.00} s)");
        Console.WriteLine($"  docker {df:0.00} s (whole 3 s run {dt:0.00} s); docker/netns: first operation x{df / nf:0.00}, whole run x{dt / nt:0.00}");
        return 0;
    }

    private static async Task<(double First, double Total, int Exit)> RunOnceAsync(string provisioner, string results)
    {
        var dir = Path.Combine(results, provisioner + "-" + Guid.NewGuid().ToString("N")[..6]);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["DOTNET_EnableDiagnostics"] = "0";
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "harness.dll"), "test", "postgres", "--provisioner", provisioner,
                     "--workload", "register", "--time-limit", "3", "--recovery-time", "0", "--results", dir, "--plain" })
            psi.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using var child = Process.Start(psi)!; // not shell-executed, so never null
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        double first = double.NaN;
        while (!child.HasExited && double.IsNaN(first))
        {
            if (Directory.Exists(dir) && Directory.EnumerateFiles(dir, "history.jsonl", SearchOption.AllDirectories).Any(f => new FileInfo(f).Length > 0))
                first = clock.Elapsed.TotalSeconds;
            else await Task.Delay(10);
        }
        await child.WaitForExitAsync();
        var total = clock.Elapsed.TotalSeconds;
        if (child.ExitCode != 0) Console.Error.WriteLine($"{provisioner}: exit {child.ExitCode}\n{await stdout}{await stderr}");
        return (first, total, child.ExitCode);
    }

    public static async Task<int> BuildAsync(string[] args)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Console.Error.WriteLine("docker-build needs root (a private dockerd, debootstrap, chroot)");
            return 254;
        }
        List<string[]> images = args.Length > 0 ? [args] : [["postgresql-15"], ["mariadb-server", "mariadb-client"]];
        var cache = Directory.CreateTempSubdirectory("harness-bench-docker-cache-").FullName;
        if (!cache.StartsWith("/tmp/", StringComparison.Ordinal) && !cache.StartsWith("/var/tmp/", StringComparison.Ordinal)) throw new InvalidOperationException(cache);
        var previous = Environment.GetEnvironmentVariable("HARNESS_DOCKER_CACHE");
        Environment.SetEnvironmentVariable("HARNESS_DOCKER_CACHE", cache);
        try
        {
            Console.WriteLine($"docker-build: a fresh cache root {cache}, {Environment.ProcessorCount} cores, load {Load()}");
            foreach (var packages in images)
            {
                var clock = Stopwatch.StartNew();
                var provisioner = new DockerProvisioner(Console.Out);
                var spec = new ClusterSpec(1, packages, "bench");
                await provisioner.PreflightAsync(spec, CancellationToken.None);
                var cluster = (DockerCluster)await provisioner.ProvisionAsync(spec, CancellationToken.None);
                try
                {
                    var elapsed = clock.Elapsed.TotalSeconds;
                    using var client = new DockerClientBuilder().WithEndpoint(cluster.Endpoint).Build();
                    var image = await client.Images.InspectImageAsync(cluster.Image);
                    Console.WriteLine($"  {string.Join(' ', packages)}: image {cluster.Image} {image.Size / 1e6:0} MB, provisioned (daemon start + build + 1 container) in {elapsed:0.0} s");
                }
                finally
                {
                    await cluster.DisposeAsync();
                }
            }
            return 0;
        }
        finally
        {
            Environment.SetEnvironmentVariable("HARNESS_DOCKER_CACHE", previous);
            using var rm = Process.Start("rm", ["-rf", "--one-file-system", cache]);
            await rm.WaitForExitAsync();
        }
    }

    private static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
}
