using System.Diagnostics;
using System.Text;
using Harness.Core.Control;

namespace Harness.Provisioning;

/// <summary>Runs a program on the host to completion, capturing its output; never throws for a non-zero exit.</summary>
public static class HostCommand
{
    public static async Task<CommandResult> RunAsync(IReadOnlyList<string> argv, CancellationToken ct, string? stdin = null)
    {
        var psi = new ProcessStartInfo(argv[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
            WorkingDirectory = "/tmp",
        };
        foreach (var a in argv.Skip(1)) psi.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {argv[0]}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new CommandResult(127, "", $"{argv[0]}: {e.Message}");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(new StringBuilder(stdin), ct);
                process.StandardInput.Close();
            }
            try
            {
                await process.WaitForExitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                throw;
            }
            return new CommandResult(process.ExitCode, await stdout, await stderr);
        }
    }

    /// <summary>Runs the command and throws a <see cref="RemoteCommandException"/> when it fails.</summary>
    public static async Task<CommandResult> RunCheckedAsync(IReadOnlyList<string> argv, CancellationToken ct, string? stdin = null) =>
        (await RunAsync(argv, ct, stdin)).EnsureSuccess(argv);

    /// <summary>The last non-empty line of a command's output (for one-line errors).</summary>
    public static string LastLine(string s) =>
        s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "no output";
}
