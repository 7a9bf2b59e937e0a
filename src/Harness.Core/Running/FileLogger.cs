using Microsoft.Extensions.Logging;

namespace Harness.Core.Running;

/// <summary>
/// A small logger writing timestamped lines to a file (harness.log) and, optionally, forwarding each line to
/// a sink (the CLI shows warnings on the console). Thread-safe.
/// </summary>
public sealed class FileLogger : ILogger, IDisposable
{
    private readonly Lock _lock = new();
    private readonly StreamWriter? _writer;
    private readonly Action<LogLevel, string>? _sink;
    private readonly LogLevel _minimum;

    public FileLogger(string? path, Action<LogLevel, string>? sink = null, LogLevel minimum = LogLevel.Information)
    {
        if (path is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!); // a full path has a directory
            _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
        }
        _sink = sink;
        _minimum = minimum;
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= _minimum && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        var message = formatter(state, exception);
        var level = logLevel switch
        {
            LogLevel.Trace => "trace",
            LogLevel.Debug => "debug",
            LogLevel.Information => "info ",
            LogLevel.Warning => "warn ",
            LogLevel.Error => "error",
            _ => "fatal",
        };
        var line = $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {level} {message}";
        if (exception is not null) line += Environment.NewLine + exception;
        lock (_lock) _writer?.WriteLine(line);
        _sink?.Invoke(logLevel, message);
    }

    public void Dispose()
    {
        lock (_lock) _writer?.Dispose();
    }
}
