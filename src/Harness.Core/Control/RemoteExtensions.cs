namespace Harness.Core.Control;

/// <summary>Helpers every adapter needs, built only on <see cref="IRemote"/> (so they work on every provisioner).</summary>
public static class RemoteExtensions
{
    /// <summary>A machine-wide cache directory on a node (kept between runs, e.g. an initdb template).</summary>
    public const string CacheDirectory = "/var/tmp/harness";

    /// <summary>Runs a command and throws a <see cref="RemoteCommandException"/> naming it when it fails.</summary>
    public static async Task<CommandResult> ExecCheckedAsync(this IRemote remote, IReadOnlyList<string> argv, CancellationToken ct, string? stdin = null) =>
        (await remote.ExecAsync(argv, ct, stdin)).EnsureSuccess(argv);

    /// <summary>The argument vector that runs <paramref name="argv"/> as <paramref name="user"/> (util-linux setpriv).</summary>
    public static IReadOnlyList<string> AsUser(string user, IReadOnlyList<string> argv) =>
        ["setpriv", $"--reuid={user}", $"--regid={user}", "--init-groups", "--", .. argv];

    /// <summary>True when the path exists on the node.</summary>
    public static async Task<bool> ExistsAsync(this IRemote remote, string path, CancellationToken ct) =>
        (await remote.ExecAsync(["test", "-e", path], ct)).Succeeded;

    /// <summary>Every regular file below <paramref name="directory"/> on the node (empty when it does not exist).</summary>
    public static async Task<IReadOnlyList<string>> ListFilesAsync(this IRemote remote, string directory, CancellationToken ct)
    {
        var result = await remote.ExecAsync(["find", directory, "-type", "f"], ct);
        return result.Succeeded ? result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries) : [];
    }

    /// <summary>Appends text to a file on the node (read, then written back whole).</summary>
    public static async Task AppendFileAsync(this IRemote remote, string path, string text, CancellationToken ct, string? owner = null) =>
        await remote.WriteFileAsync(path, (await remote.ReadFileAsync(path, ct) ?? "") + text, ct, owner);

    /// <summary>Makes a directory (and its parents) owned by <paramref name="owner"/> with the given octal mode.</summary>
    public static Task<CommandResult> MakeDirectoryAsync(this IRemote remote, string path, string owner, int mode, CancellationToken ct) =>
        remote.ExecCheckedAsync(["sh", "-c", "mkdir -p \"$0\" && chown \"$1\" \"$0\" && chmod \"$2\" \"$0\"",
            path, $"{owner}:", Convert.ToString(mode, 8)], ct);
}
