using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Harness.Databases.Redis;

/// <summary>
/// One RESP command on a fresh TCP connection, for the harness's own admin calls to servers and sentinels (INFO,
/// SENTINEL ...): no client library state, no reconnects, a hard timeout. Replies are a string, a long, null, an
/// array of replies, or a <see cref="RespError"/>.
/// </summary>
internal static class Resp
{
    public static async Task<object?> CallAsync(string host, int port, TimeSpan timeout, CancellationToken ct, params string[] args)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        using var client = new TcpClient();
        await client.ConnectAsync(host, port, cts.Token);
        await using var stream = client.GetStream();
        var request = new StringBuilder().Append(CultureInfo.InvariantCulture, $"*{args.Length}\r\n");
        foreach (var a in args) request.Append(CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(a)}\r\n{a}\r\n");
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()), cts.Token);
        var reader = new Reader(stream);
        return await reader.ReadAsync(cts.Token);
    }

    /// <summary>Like <see cref="CallAsync"/>, null on any connection error or timeout.</summary>
    public static async Task<object?> TryCallAsync(string host, int port, TimeSpan timeout, CancellationToken ct, params string[] args)
    {
        try { return await CallAsync(host, port, timeout, ct, args); }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException && !ct.IsCancellationRequested) { return null; }
    }

    /// <summary>A flat [k1, v1, k2, v2...] reply as a dictionary (SENTINEL MASTER).</summary>
    public static Dictionary<string, string> Pairs(object? reply)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        if (reply is List<object?> items)
            for (var i = 0; i + 1 < items.Count; i += 2)
                if (items[i] is string k && items[i + 1] is string v) d[k] = v;
        return d;
    }

    /// <summary>The "key:value" lines of an INFO reply.</summary>
    public static Dictionary<string, string> Info(object? reply)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        if (reply is string text)
            foreach (var line in text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                if (line.IndexOf(':', StringComparison.Ordinal) is var i and > 0) d[line[..i]] = line[(i + 1)..];
        return d;
    }

    private sealed class Reader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[8192];
        private int _start;
        private int _end;

        public async Task<object?> ReadAsync(CancellationToken ct)
        {
            var line = await LineAsync(ct);
            var rest = line[1..];
            switch (line[0])
            {
                case '+': return rest;
                case '-': return new RespError(rest);
                case ':': return long.Parse(rest, CultureInfo.InvariantCulture);
                case '$':
                    var length = int.Parse(rest, CultureInfo.InvariantCulture);
                    if (length < 0) return null;
                    var bytes = await BytesAsync(length + 2, ct);
                    return Encoding.UTF8.GetString(bytes, 0, length);
                case '*':
                    var count = int.Parse(rest, CultureInfo.InvariantCulture);
                    if (count < 0) return null;
                    var items = new List<object?>(count);
                    for (var i = 0; i < count; i++) items.Add(await ReadAsync(ct));
                    return items;
                default: throw new IOException($"unexpected RESP reply '{line}'");
            }
        }

        private async Task<string> LineAsync(CancellationToken ct)
        {
            var sb = new StringBuilder();
            while (true)
            {
                if (_start == _end) await FillAsync(ct);
                var b = (char)_buffer[_start++];
                if (b == '\n') return sb.ToString().TrimEnd('\r');
                sb.Append(b);
            }
        }

        private async Task<byte[]> BytesAsync(int count, CancellationToken ct)
        {
            var result = new byte[count];
            for (var i = 0; i < count; i++)
            {
                if (_start == _end) await FillAsync(ct);
                result[i] = _buffer[_start++];
            }
            return result;
        }

        private async Task FillAsync(CancellationToken ct)
        {
            _start = 0;
            _end = await stream.ReadAsync(_buffer, ct);
            if (_end == 0) throw new IOException("connection closed");
        }
    }
}

/// <summary>A RESP error reply (e.g. "-ERR ...", "-IDONTKNOW ...").</summary>
internal sealed record RespError(string Message);
