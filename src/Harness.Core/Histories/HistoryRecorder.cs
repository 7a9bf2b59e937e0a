using System.Buffers;
using System.Diagnostics;
using System.Text.Json;

namespace Harness.Core.Histories;

/// <summary>
/// Thread-safe, append-only recorder: stamps each operation with its index and monotonic time, keeps it,
/// and (when given a path) appends it to history.jsonl and flushes, so a run that dies leaves a checkable file.
/// </summary>
public sealed class HistoryRecorder : IDisposable
{
    private readonly Lock _lock = new();
    private readonly List<Operation> _ops = [];
    private readonly Stopwatch _clock;
    private readonly FileStream? _file;
    private readonly ArrayBufferWriter<byte> _buffer = new(512);
    private readonly Utf8JsonWriter _writer;
    private readonly bool _flushEach;
    private bool _disposed;

    /// <param name="path">history.jsonl to stream to, or null to keep the history in memory only.</param>
    /// <param name="clock">the test's monotonic clock (started at test start); a new one when null.</param>
    /// <param name="flushEachOperation">flush to the OS after each line (default); false batches writes.</param>
    public HistoryRecorder(string? path, Stopwatch? clock = null, bool flushEachOperation = true)
    {
        _clock = clock ?? Stopwatch.StartNew();
        _flushEach = flushEachOperation;
        _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });
        if (path is not null)
            _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
    }

    /// <summary>Nanoseconds since the test clock started.</summary>
    public long NowNanos => (long)(_clock.ElapsedTicks * (1_000_000_000.0 / Stopwatch.Frequency));

    public int Count
    {
        get { lock (_lock) return _ops.Count; }
    }

    /// <summary>Appends an operation, stamping index and (if not already set) time; returns the stamped op.</summary>
    public Operation Record(Operation op)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var stamped = op with { Index = _ops.Count, TimeNanos = op.TimeNanos >= 0 ? op.TimeNanos : NowNanos };
            _ops.Add(stamped);
            if (_file is not null)
            {
                _buffer.ResetWrittenCount();
                _writer.Reset();
                HistoryJson.Write(_writer, stamped);
                _writer.Flush();
                _file.Write(_buffer.WrittenSpan);
                _file.WriteByte((byte)'\n');
                if (_flushEach) _file.Flush();
            }
            return stamped;
        }
    }

    /// <summary>A frozen copy of everything recorded so far.</summary>
    public History ToHistory()
    {
        lock (_lock) return new History(_ops.ToArray());
    }

    public void Flush()
    {
        lock (_lock) _file?.Flush(flushToDisk: true);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            _file?.Flush(flushToDisk: true);
            _file?.Dispose();
            _writer.Dispose();
        }
    }
}
