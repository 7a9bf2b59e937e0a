using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Harness.Integration.Tests;

/// <summary>Appends log lines with elapsed milliseconds to a file (for diagnosing slow or failing cluster tests).</summary>
internal sealed class FileLogger(string path) : ILogger
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _lock = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lock) File.AppendAllText(path, $"{_clock.ElapsedMilliseconds,7} {logLevel} {formatter(state, exception)}\n");
    }
}
