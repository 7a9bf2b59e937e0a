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
        string[] Postgres(string provisioner) => ["postgres", "--provisioner", provisioner, "--workload", "register", "--time-limit", "3", "--recovery-time", "0"];
        var medians = await FirstOperation.MediansAsync(runs, "harness-bench-docker-",
            new Dictionary<string, string[]> { ["netns"] = Postgres("netns"), ["docker"] = Postgres("docker") });
        var ((nf, nt), (df, dt)) = (medians["netns"], medians["docker"]);
        Console.WriteLine($"docker: command to first operation, 3 PostgreSQL nodes, image cached, median of {runs}, {Environment.ProcessorCount} cores, load {FirstOperation.Load()}");
        Console.WriteLine($"  netns  {nf:0.00} s (whole 3 s run {nt:0.00} s)");
        Console.WriteLine($"  docker {df:0.00} s (whole 3 s run {dt:0.00} s); docker/netns: first operation x{df / nf:0.00}, whole run x{dt / nt:0.00}");
        return 0;
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
            Console.WriteLine($"docker-build: a fresh cache root {cache}, {Environment.ProcessorCount} cores, load {FirstOperation.Load()}");
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
}
