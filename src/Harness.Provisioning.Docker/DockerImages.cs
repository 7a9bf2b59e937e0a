using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Docker.DotNet;
using Docker.DotNet.Models;
using Harness.Core.Control;

namespace Harness.Provisioning.Docker;

/// <summary>
/// The image every node runs. In order: <c>--image NAME</c>, else <c>HARNESS_DOCKER_IMAGE</c> (both must name an
/// image the daemon has or can pull); the official image of the cluster's server package (postgresql-15:
/// postgres:15) when the daemon has it; the image built here before (below); the official image pulled, when the
/// daemon can reach its registry (none can here: the pull fails at once and the image is built); else an
/// equivalent image built here from Debian
/// packages: a debootstrap minbase rootfs of the host's release (made once, kept under the cache root), the
/// cluster's packages installed into a copy with apt-get in a chroot (the host's mirror and sources), imported as
/// <c>harness-node:&lt;key&gt;</c>, the key being a hash of its inputs (release, package list, recipe version).
/// The daemon keeps the image; the private daemon's data root is under the cache root, so it is built once.
/// </summary>
internal static partial class DockerImages
{
    /// <summary>Bumped whenever the recipe changes, so old images are not reused.</summary>
    private const string Recipe = "1";

    /// <summary>Tools every node image has (the harness's own needs: ip, iptables for the non-root fault path, ps).</summary>
    public static readonly IReadOnlyList<string> BasePackages = ["iproute2", "iptables", "procps"];

    public const string Repository = "harness-node";

    /// <summary>The official image of a Debian server package, by the adapters' package names.</summary>
    public static string? OfficialImage(IReadOnlyList<string> packages) =>
        packages.Select(p => PostgresPackage().Match(p)).FirstOrDefault(m => m.Success) is { } m ? $"postgres:{m.Groups[1].Value}" : null;

    public static string Release()
    {
        try
        {
            var line = File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("VERSION_CODENAME=", StringComparison.Ordinal));
            if (line is not null && line.Split('=', 2)[1].Trim('"') is { Length: > 0 } r) return r;
        }
        catch (IOException) { }
        return "bookworm";
    }

    /// <summary>The tag of the locally built image for these packages.</summary>
    public static string LocalTag(IReadOnlyList<string> packages)
    {
        var wanted = packages.Concat(BasePackages).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var input = $"{Release()}\n{Recipe}\n{string.Join('\n', wanted)}";
        return $"{Repository}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(input)))[..12]}";
    }

    public static async Task<bool> HasAsync(DockerClient client, string image, CancellationToken ct)
    {
        try
        {
            await client.Images.InspectImageAsync(image, ct);
            return true;
        }
        catch (DockerImageNotFoundException) { return false; }
    }

    /// <summary>The image to run for these packages (<paramref name="given"/>: --image), building it when needed
    /// (announced on <paramref name="status"/>; what a build is about to make is recorded in <paramref name="ledger"/>).</summary>
    /// <remarks>The official image may be pulled only when <paramref name="pullOfficial"/>: on the user's own daemon
    /// (its registry and mirror settings are the user's); the harness's private daemon never reaches out to Docker Hub.</remarks>
    public static async Task<string> EnsureAsync(DockerClient client, IReadOnlyList<string> packages, string? given, RunLedger? ledger, TextWriter status, CancellationToken ct,
        bool pullOfficial = false)
    {
        if (given is { Length: > 0 })
        {
            if (await HasAsync(client, given, ct)) return given;
            var failed = await PullAsync(client, given, status, ct);
            if (failed is null) return given;
            throw new ProvisioningException(NotThere("--image", given, "the Docker daemon", failed));
        }
        if (Environment.GetEnvironmentVariable(ImageVariable) is { Length: > 0 } env)
        {
            if (await HasAsync(client, env, ct)) return env;
            var failed = await PullAsync(client, env, status, ct);
            if (failed is null) return env;
            throw new ProvisioningException(NotThere($"{ImageVariable}=", env, "the Docker daemon", failed).Replace("or leave --image out", $"or unset {ImageVariable}", StringComparison.Ordinal));
        }
        var official = OfficialImage(packages);
        if (official is not null && await HasAsync(client, official, ct)) return official;
        var tag = LocalTag(packages);
        if (await HasAsync(client, tag, ct)) return tag;
        if (official is not null && pullOfficial)
        {
            if (await PullAsync(client, official, status, ct) is not { } failed) return official;
            await status.WriteLineAsync($"harness: cannot pull {official} ({failed}); using an image built from Debian packages instead");
        }
        if (!Environment.IsPrivilegedProcess)
            throw new ProvisioningException($"image {OfficialImage(packages) ?? tag} is not in the Docker daemon and building {tag} needs root (debootstrap, chroot); run once as root, or pass --image with an image the daemon has");
        await BuildAsync(client, packages, tag, ledger, status, ct);
        return tag;
    }

    /// <summary>The environment variable that names the image when --image is not given.</summary>
    public const string ImageVariable = "HARNESS_DOCKER_IMAGE";

    /// <summary>The one line for an image the daemon does not have (<paramref name="pullFailed"/>: why it could not
    /// be pulled; null: no pull was tried, the daemon not running yet).</summary>
    public static string NotThere(string flag, string image, string where, string? pullFailed = null) =>
        $"{(flag.EndsWith('=') ? flag + image : flag + " " + image)}: no such image in {where}{(pullFailed is null ? "" : $", and pulling it failed ({pullFailed})")}; load it there first (docker load, docker import or docker tag), or leave --image out";

    /// <summary>How long a pull may take (an image of ~0.5 GB from a registry on the same network).</summary>
    private static readonly TimeSpan PullTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Pulls the image into the daemon (announced on <paramref name="status"/>); null when it is there
    /// afterwards, else why not, in a few words (the registry's or the daemon's own message).</summary>
    public static async Task<string?> PullAsync(DockerClient client, string image, TextWriter status, CancellationToken ct)
    {
        var (name, tag) = SplitTag(image);
        await status.WriteLineAsync($"harness: pulling {image} ...");
        var clock = Stopwatch.StartNew();
        string? error = null;
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(PullTimeout);
        try
        {
            await client.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = name, Tag = tag }, null,
                new Progress<JSONMessage>(m => error ??= m.Error?.Message), bounded.Token);
        }
        catch (DockerApiException e)
        {
            error ??= FirstLine(e.ResponseBody ?? e.Message);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            error ??= $"no answer within {PullTimeout.TotalMinutes:0} minutes";
        }
        if (error is null && await HasAsync(client, image, ct))
        {
            await status.WriteLineAsync($"harness: pulled {image} in {clock.Elapsed.TotalSeconds:0.0} s");
            return null;
        }
        return error is { Length: > 0 } ? FirstLine(error).TrimEnd('.') : "the daemon did not say why";
    }

    /// <summary>name and tag of a reference (no tag: latest; a digest stays in the name).</summary>
    private static (string Name, string Tag) SplitTag(string image)
    {
        if (image.Contains('@', StringComparison.Ordinal)) return (image, "");
        var slash = image.LastIndexOf('/');
        var colon = image.LastIndexOf(':');
        return colon > slash ? (image[..colon], image[(colon + 1)..]) : (image, "latest");
    }

    /// <summary>The first non-empty line of a daemon's message.</summary>
    internal static string FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? text;

    /// <summary>Whether the reference names its registry (host[:port]/... or localhost/...): a registry of the user's
    /// own, which a private daemon may reach once it runs.</summary>
    public static bool NamesRegistry(string image)
    {
        var slash = image.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0) return false;
        var first = image[..slash];
        return first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost";
    }

    /// <summary>Checks the syntax of an image reference (name[:tag][@digest], or an image ID) for --image.</summary>
    public static string? CheckName(string image) => ImageReference().IsMatch(image) || ImageId().IsMatch(image)
        ? null
        : "not an image name (lower-case name[:tag][@sha256:digest], or an image ID)";

    /// <summary>Whether the image store of a daemon's data root (not running) has the image: its
    /// image/&lt;driver&gt;/repositories.json (names and tags) or image/&lt;driver&gt;/imagedb (IDs). Null when it cannot tell.</summary>
    public static bool? InDataRoot(string dataRoot, string image)
    {
        var images = Path.Combine(dataRoot, "image");
        if (!Directory.Exists(images)) return false;
        try
        {
            foreach (var driver in Directory.EnumerateDirectories(images))
            {
                if (ImageId().IsMatch(image))
                {
                    var hex = image.StartsWith("sha256:", StringComparison.Ordinal) ? image[7..] : image;
                    var content = Path.Combine(driver, "imagedb", "content", "sha256");
                    if (Directory.Exists(content) && Directory.EnumerateFiles(content, hex + "*").Any()) return true;
                    continue;
                }
                var file = Path.Combine(driver, "repositories.json");
                if (!File.Exists(file)) continue;
                using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(file));
                var wanted = Familiar(image);
                if (!wanted.Contains('@', StringComparison.Ordinal) && !Tagged().IsMatch(wanted)) wanted += ":latest";
                foreach (var repository in json.RootElement.GetProperty("Repositories").EnumerateObject())
                    foreach (var reference in repository.Value.EnumerateObject())
                        if (Familiar(reference.Name) == wanted) return true;
            }
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    private static string Familiar(string reference) =>
        reference.StartsWith("docker.io/library/", StringComparison.Ordinal) ? reference[18..]
        : reference.StartsWith("docker.io/", StringComparison.Ordinal) ? reference[10..] : reference;

    private static async Task BuildAsync(DockerClient client, IReadOnlyList<string> packages, string tag, RunLedger? ledger, TextWriter status, CancellationToken ct)
    {
        var root = DockerDaemon.CacheRoot;
        Directory.CreateDirectory(root);
        var lockPath = Path.Combine(root, "build.lock");
        FileStream? buildLock = null;
        for (var waited = Stopwatch.StartNew(); buildLock is null;)
        {
            try { buildLock = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (waited.Elapsed < TimeSpan.FromMinutes(10)) { await Task.Delay(500, ct); }
        }
        using var held = buildLock;
        if (await HasAsync(client, tag, ct)) return; // built by a run that held the lock before us
        var total = Stopwatch.StartNew();
        var release = Release();
        var mirror = Mirror();
        var baseDir = Path.Combine(root, $"rootfs-{release}");
        if (!File.Exists(Path.Combine(baseDir, ".harness-ok")))
        {
            await status.WriteLineAsync($"harness: building the base rootfs once: debootstrap --variant=minbase {release} {baseDir} {mirror} (~30 s)");
            var sw = Stopwatch.StartNew();
            var tmp = baseDir + ".tmp";
            ledger?.Add(new RunResource(DockerLeftovers.Directory, tmp));
            await HostCommand.RunAsync(["rm", "-rf", tmp], ct);
            var boot = await HostCommand.RunAsync(["debootstrap", "--variant=minbase", release, tmp, mirror], ct);
            if (!boot.Succeeded)
                throw new ProvisioningException($"debootstrap {release} failed ({HostCommand.LastLine(boot.Stdout + boot.Stderr)}); check the mirror {mirror}");
            await HostCommand.RunAsync(["rm", "-rf", baseDir], ct);
            Directory.Move(tmp, baseDir);
            await File.WriteAllTextAsync(Path.Combine(baseDir, ".harness-ok"), $"{release} {mirror}\n", ct);
            ledger?.Remove(new RunResource(DockerLeftovers.Directory, tmp));
            await status.WriteLineAsync($"harness: base rootfs ready in {sw.Elapsed.TotalSeconds:0.0} s");
        }
        var work = Path.Combine(root, $"build-{tag.Split(':')[1]}");
        var wanted = packages.Concat(BasePackages).Distinct(StringComparer.Ordinal).ToList();
        var proc = Path.Combine(work, "proc");
        ledger?.Add(new RunResource(DockerLeftovers.Directory, work), new RunResource(DockerLeftovers.Mount, proc));
        try
        {
            await HostCommand.RunAsync(["rm", "-rf", work], ct);
            await HostCommand.RunCheckedAsync(["cp", "-a", baseDir, work], ct);
            File.Delete(Path.Combine(work, ".harness-ok"));
            if (File.Exists("/etc/apt/sources.list.d/debian.sources"))
            {
                File.Copy("/etc/apt/sources.list.d/debian.sources", Path.Combine(work, "etc/apt/sources.list.d/debian.sources"), overwrite: true);
                File.Delete(Path.Combine(work, "etc/apt/sources.list"));
            }
            File.Copy("/etc/resolv.conf", Path.Combine(work, "etc/resolv.conf"), overwrite: true);
            var policy = Path.Combine(work, "usr/sbin/policy-rc.d");
            await File.WriteAllTextAsync(policy, "#!/bin/sh\nexit 101\n", ct);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(policy, (UnixFileMode)0b111_101_101);
            await status.WriteLineAsync($"harness: installing {string.Join(' ', wanted)} into image {tag} (apt-get in a chroot, once)");
            var sw = Stopwatch.StartNew();
            await HostCommand.RunCheckedAsync(["mount", "-t", "proc", "proc", proc], ct);
            CommandResult install;
            try
            {
                install = await HostCommand.RunAsync(["chroot", work, "sh", "-c",
                    "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \"$@\" && apt-get clean && rm -rf /var/lib/apt/lists/*",
                    "install", .. wanted], ct);
            }
            finally
            {
                await HostCommand.RunAsync(["umount", "-l", proc], CancellationToken.None);
            }
            if (!install.Succeeded)
                throw new ProvisioningException($"installing {string.Join(' ', wanted)} into the image failed ({HostCommand.LastLine(install.Stderr)}); check the package names and the mirror");
            File.Delete(Path.Combine(work, "etc/resolv.conf"));
            await status.WriteLineAsync($"harness: packages installed in {sw.Elapsed.TotalSeconds:0.0} s; importing {tag}");
            sw.Restart();
            await ImportAsync(client, work, tag, ct);
            await status.WriteLineAsync($"harness: image {tag} imported in {sw.Elapsed.TotalSeconds:0.0} s (built in {total.Elapsed.TotalSeconds:0.0} s, cached)");
        }
        finally
        {
            await DockerDaemon.UnmountBelowAsync(work);
            await HostCommand.RunAsync(["rm", "-rf", work], CancellationToken.None);
            ledger?.Remove(new RunResource(DockerLeftovers.Mount, proc));
            ledger?.Remove(new RunResource(DockerLeftovers.Directory, work));
        }
    }

    /// <summary>docker import of a directory: GNU tar streams it (numeric owners) into POST /images/create?fromSrc=-.</summary>
    private static async Task ImportAsync(DockerClient client, string directory, string tag, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("tar") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("--numeric-owner");
        psi.ArgumentList.Add("-C");
        psi.ArgumentList.Add(directory);
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(".");
        using var tar = Process.Start(psi) ?? throw new ProvisioningException("cannot start tar");
        var errors = tar.StandardError.ReadToEndAsync(ct);
        var parts = tag.Split(':');
        var messages = new List<string>();
        await client.Images.CreateImageAsync(new ImagesCreateParameters
        {
            FromSrc = "-",
            Repo = parts[0],
            Tag = parts[1],
            Changes = ["ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", $"LABEL harness.image={tag}"],
        }, tar.StandardOutput.BaseStream, null, new Progress<JSONMessage>(m => { if (m.Error?.Message is { Length: > 0 } e) lock (messages) messages.Add(e); }), ct);
        await tar.WaitForExitAsync(ct);
        if (tar.ExitCode != 0 || !await HasAsync(client, tag, ct))
            throw new ProvisioningException($"importing {tag} failed (tar: {HostCommand.LastLine(await errors)}; docker: {string.Join("; ", messages)})");
    }

    /// <summary>The Debian mirror apt already uses on the host.</summary>
    private static string Mirror()
    {
        foreach (var file in SourceFiles.Where(File.Exists))
            foreach (var line in File.ReadLines(file))
            {
                var t = line.Trim();
                if (t.StartsWith("URIs:", StringComparison.Ordinal)) return t[5..].Trim().Split(' ')[0];
                if (t.StartsWith("deb ", StringComparison.Ordinal) && t.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var uri, ..] && uri.StartsWith("http", StringComparison.Ordinal)) return uri;
            }
        return "http://deb.debian.org/debian";
    }

    private static readonly string[] SourceFiles = ["/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list"];

    [GeneratedRegex(@"^([A-Za-z0-9][A-Za-z0-9.-]*(:[0-9]+)?/)?[a-z0-9]+([._-]+[a-z0-9]+)*(/[a-z0-9]+([._-]+[a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[0-9a-f]{64})?$")]
    private static partial Regex ImageReference();

    [GeneratedRegex(@"^(sha256:)?[0-9a-f]{12,64}$")]
    private static partial Regex ImageId();

    /// <summary>The reference ends in a tag (a colon after the last slash).</summary>
    [GeneratedRegex(@":[^/]*$")]
    private static partial Regex Tagged();

    [GeneratedRegex(@"^postgresql-(\d+)$")]
    private static partial Regex PostgresPackage();
}
