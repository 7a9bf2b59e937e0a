using System.Diagnostics;
using System.Globalization;
using Harness.Checkers.Cycles;
using Harness.Core.Histories;

namespace Harness.Bench;

/// <summary>
/// `elle [txns] [model] [stale-rate]` (or `elle write PATH [txns]`): a generated valid list-append history (default 1,000,000 transactions, ~4 micro-ops,
/// 10,000 keys, 50 processes) checked by <see cref="ListAppendChecker"/> in streaming mode. Prints generation
/// time, generation+JSON round trip (write and parse each line), checking time (generation subtracted),
/// throughput, and peak working set per transaction.
/// </summary>
internal static class ElleBench
{
    public static int Run(string[] args)
    {
        if (args is ["write", var path, ..])
        {
            // `elle write PATH [txns]`: the generated history as JSONL, e.g. for `harness check --workload list-append`.
            var n = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1_000_000;
            HistoryJson.WriteFile(path, new ListAppendHistoryGenerator(n, keys: 10_000, processes: 50, seed: 42).Operations());
            Console.WriteLine($"wrote {n:N0} transactions to {path} ({new FileInfo(path).Length / 1e6:F0} MB)");
            return 0;
        }
        var txns = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        if (args.Length > 1 && args[1] == "session") return Sessions(txns);
        var model = ConsistencyModels.Parse(args.Length > 1 ? args[1] : "strict-serializable");
        var stale = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 0;
        var gen = new ListAppendHistoryGenerator(txns, keys: 10_000, processes: 50, seed: 42, stale);
        Console.WriteLine($"elle: {txns:N0} txns, 10,000 keys, 50 processes, model {model.Name}" + (stale > 0 ? $", stale-read rate {stale}" : ""));

        var self = Process.GetCurrentProcess();
        var clock = Stopwatch.StartNew();
        var cpu0 = self.TotalProcessorTime;
        long ops = 0, mops = 0;
        foreach (var op in gen.Operations())
        {
            ops++;
            if (op.IsOk) mops += op.Value!.Count;
        }
        var genMs = clock.Elapsed.TotalMilliseconds;
        self.Refresh();
        var genCpu = (self.TotalProcessorTime - cpu0).TotalMilliseconds;
        Console.WriteLine($"generate:            {genMs,8:F0} ms ({genCpu:F0} ms CPU; {ops:N0} ops, {mops:N0} micro-ops)");

        clock.Restart();
        long bytes = 0, parsed = 0;
        foreach (var op in gen.Operations())
        {
            var line = HistoryJson.ToLine(op);
            var utf8 = System.Text.Encoding.UTF8.GetBytes(line);
            bytes += utf8.Length + 1;
            if (HistoryJson.ParseLine(utf8, "bench", parsed + 1, parsed) is not null) parsed++;
        }
        var jsonMs = clock.Elapsed.TotalMilliseconds;
        Console.WriteLine($"generate+write+parse:{jsonMs,8:F0} ms ({bytes / 1e6:F0} MB of JSONL)");

        GC.Collect();
        self.Refresh();
        cpu0 = self.TotalProcessorTime;
        clock.Restart();
        var result = new ListAppendChecker(model).Check(gen.Operations(), null, CancellationToken.None);
        var totalMs = clock.Elapsed.TotalMilliseconds;
        var checkMs = totalMs - genMs;
        self.Refresh();
        var checkCpu = (self.TotalProcessorTime - cpu0).TotalMilliseconds - genCpu;
        self.Refresh();
        var peak = self.PeakWorkingSet64;
        Console.WriteLine($"generate+check:      {totalMs,8:F0} ms");
        Console.WriteLine($"check (minus gen):   {checkMs,8:F0} ms = {txns / (checkMs / 1000):N0} txn/s wall; {checkCpu:F0} ms CPU = {txns / (checkCpu / 1000):N0} txn/s per CPU");
        Console.WriteLine($"checker stats:       {result.Stats?.ToJsonString()}");
        Console.WriteLine($"verdict:             {result.Validity}: {result.Summary}");
        Console.WriteLine($"peak working set:    {peak / 1e6:F0} MB = {(double)peak / txns:F0} bytes/txn");
        return result.IsValid == (stale == 0) ? 0 : 1;
    }

    /// <summary>`elle N session`: the session-guarantees checker on a materialised generated history (must be valid).</summary>
    private static int Sessions(int txns)
    {
        var gen = new ListAppendHistoryGenerator(txns, keys: 10_000, processes: 50, seed: 42);
        var clock = Stopwatch.StartNew();
        var history = new History(gen.Operations());
        Console.WriteLine($"generate (materialised): {clock.ElapsedMilliseconds} ms");
        clock.Restart();
        var result = new Harness.Checkers.Sessions.SessionGuaranteesChecker().Check(history, CancellationToken.None);
        Console.WriteLine($"session guarantees:      {clock.ElapsedMilliseconds} ms = {txns / clock.Elapsed.TotalSeconds:N0} txn/s; {result.Validity}: {result.Summary}");
        return result.IsValid ? 0 : 1;
    }
}
