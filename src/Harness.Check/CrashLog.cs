namespace Harness.Check;

/// <summary>
/// Where the CLI (and harness-check) keep the stack trace of an internal error (exit 255): one file per crash,
/// <c>harness-crash-PID.log</c>, in a folder of the user's own under the temp directory
/// (<c>/tmp/harness-crash-USER/</c>), keeping only the newest <see cref="Keep"/> so they do not pile up.
/// </summary>
public static class CrashLog
{
    public const int Keep = 10;

    /// <summary>The default folder: <c>harness-crash-USER</c> in the temp directory.</summary>
    public static string DefaultDirectory => Path.Combine(Path.GetTempPath(), $"harness-crash-{Environment.UserName}");

    /// <summary>
    /// Writes <paramref name="e"/> to <c>harness-crash-PID.log</c> in <paramref name="directory"/> and deletes all
    /// but the newest <paramref name="keep"/> crash logs there. Returns the file, or the reason it could not be written.
    /// </summary>
    public static (string? Path, string? Problem) Write(Exception e, string? directory = null, int keep = Keep)
    {
        directory ??= DefaultDirectory;
        var path = System.IO.Path.Combine(directory, $"harness-crash-{Environment.ProcessId}.log");
        try
        {
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(directory);
            else Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.Delete(path); // a stale log of a reused PID; CreateNew never follows a planted link
            using (var w = new StreamWriter(new FileStream(path, FileMode.CreateNew, FileAccess.Write))) w.Write(e.ToString());
        }
        catch (Exception io) when (io is IOException or UnauthorizedAccessException)
        {
            return (null, io.Message);
        }
        Prune(directory, keep);
        return (path, null);
    }

    private static void Prune(string directory, int keep)
    {
        var old = new DirectoryInfo(directory).EnumerateFiles("harness-crash-*.log")
            .OrderByDescending(f => f.LastWriteTimeUtc).ThenByDescending(f => f.Name, StringComparer.Ordinal)
            .Skip(keep);
        foreach (var file in old)
        {
            try { file.Delete(); }
            catch (Exception io) when (io is IOException or UnauthorizedAccessException) { }
        }
    }
}
