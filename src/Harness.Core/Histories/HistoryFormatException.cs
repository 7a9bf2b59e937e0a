namespace Harness.Core.Histories;

/// <summary>A history file that cannot be read: names the file and the line (1-based, 0 when unknown).</summary>
public sealed class HistoryFormatException(string file, long line, string message)
    : Exception(line > 0 ? $"{file}:{line}: {message}" : $"{file}: {message}")
{
    public string File { get; } = file;
    public long Line { get; } = line;
    public string Reason { get; } = message;
}
