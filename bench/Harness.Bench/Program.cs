// Benchmarks: `dotnet run -c Release --project bench/Harness.Bench -- <name>`; each prints its figures.
Console.Error.WriteLine("usage: Harness.Bench <benchmark>");
return 254;
