using System.Collections.Concurrent;
using System.Diagnostics;
using Harness.Core.Running;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Harness.Core.Runs;

namespace Harness.Cli.Commands;

/// <summary>
/// Live progress of a running test: a Spectre.Console panel (phase, ops/s, ok/fail/info, active faults, recent
/// warnings) on a terminal; a plain line every few seconds when stdout is not a terminal.
/// </summary>
internal sealed class TestProgress(TextWriter output, bool forcePlain)
{
    private static readonly TimeSpan PlainEvery = TimeSpan.FromSeconds(5);
    private readonly ConcurrentQueue<string> _warnings = new();
    private volatile bool _live;

    private bool Interactive =>
        !forcePlain && ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Log sink: warnings and errors reach the user (in the panel, or as lines).</summary>
    public void OnLog(LogLevel level, string message)
    {
        if (level < LogLevel.Warning) return;
        if (_live)
        {
            _warnings.Enqueue(message);
            while (_warnings.Count > 4) _warnings.TryDequeue(out _);
        }
        else
        {
            lock (output) output.WriteLine($"harness: {(level >= LogLevel.Error ? "error" : "warning")}: {message}");
        }
    }

    public async Task ShowAsync(Task run, RunStats stats, TestOptions options)
    {
        var clock = Stopwatch.StartNew();
        if (!Interactive)
        {
            var last = (Time: TimeSpan.Zero, Done: 0L);
            while (!run.IsCompleted)
            {
                await Task.WhenAny(run, Task.Delay(PlainEvery));
                if (run.IsCompleted) break;
                var now = (clock.Elapsed, stats.Completed);
                var rate = (now.Completed - last.Done) / Math.Max(0.001, (now.Elapsed - last.Time).TotalSeconds);
                last = now;
                lock (output) output.WriteLine($"[{clock.Elapsed.TotalSeconds,5:0}s] {stats.Phase}: {stats.Completed} ops ({rate:0}/s) ok {stats.Ok} fail {stats.Fail} info {stats.Info}; faults: {Faults(stats)}");
            }
            return;
        }

        _live = true;
        try
        {
            var table = new Table().Border(TableBorder.Rounded).HideHeaders().AddColumn("k").AddColumn("v");
            await AnsiConsole.Live(table).AutoClear(false).StartAsync(async ctx =>
            {
                var last = (Time: TimeSpan.Zero, Done: 0L);
                while (true)
                {
                    var now = (clock.Elapsed, stats.Completed);
                    var rate = (now.Completed - last.Done) / Math.Max(0.001, (now.Elapsed - last.Time).TotalSeconds);
                    last = now;
                    table.Rows.Clear();
                    table.AddRow("phase", $"[bold]{Markup.Escape(stats.Phase)}[/]  {clock.Elapsed.TotalSeconds:0}s of {options.TimeLimit.TotalSeconds:0}s");
                    table.AddRow("ops", $"{stats.Completed} done, [bold]{rate:0}[/] ops/s");
                    table.AddRow("outcomes", $"[green]ok {stats.Ok}[/]  [red]fail {stats.Fail}[/]  [yellow]info {stats.Info}[/]");
                    table.AddRow("faults", Markup.Escape(Faults(stats)));
                    foreach (var w in _warnings) table.AddRow("[yellow]warning[/]", Markup.Escape(w));
                    ctx.Refresh();
                    if (run.IsCompleted) break;
                    await Task.WhenAny(run, Task.Delay(250));
                }
            });
        }
        finally
        {
            _live = false;
        }
    }

    private static string Faults(RunStats stats)
    {
        var faults = stats.ActiveFaults;
        var now = faults.IsEmpty ? "none" : string.Join("; ", faults.Select(f => $"{f.Key} {f.Value}"));
        return stats.FaultsInjected == 0 ? now : $"{now} ({stats.FaultsInjected} injected so far)";
    }
}
