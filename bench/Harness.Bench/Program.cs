using Harness.Bench;

// Benchmarks: `dotnet run -c Release --project bench/Harness.Bench -- <name> [args]`; each prints its figures.
// To add one: a class with `static Task<int> RunAsync(string[] args)` and a line in Benchmarks.All.
if (args.Length == 0 || !Benchmarks.All.TryGetValue(args[0], out var benchmark))
{
    Console.Error.WriteLine($"usage: Harness.Bench <benchmark> [args]; benchmarks: {string.Join(", ", Benchmarks.All.Keys)}");
    return 254;
}
return await benchmark.Run(args[1..]);
