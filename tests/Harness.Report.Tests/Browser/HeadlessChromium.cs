using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Harness.Report.Tests.Browser;

/// <summary>
/// Drives Debian's headless chromium over the Chrome DevTools Protocol (a WebSocket, no extra package):
/// load a page, evaluate expressions, collect script errors, take screenshots. The browser is a child process
/// killed by PID on dispose; its profile is a temporary directory.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonObject>> _pending = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _receiver;
    private int _nextId;

    private HeadlessChromium(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    /// <summary>The chromium binary on PATH (chromium, chromium-browser or google-chrome), or null.</summary>
    public static string? Find() =>
        (from name in new[] { "chromium", "chromium-browser", "google-chrome" }
         from dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':')
         let path = Path.Combine(dir, name)
         where File.Exists(path)
         select path).FirstOrDefault();

    /// <summary>Script errors seen so far: uncaught exceptions, console.error calls, error log entries.</summary>
    public IReadOnlyList<string> Errors => [.. _errors];

    public static async Task<HeadlessChromium> LaunchAsync(int width, int height, CancellationToken ct)
    {
        var binary = Find() ?? throw new InvalidOperationException("chromium is not installed (apt-get install -y chromium)");
        var profile = Directory.CreateTempSubdirectory("harness-chromium-").FullName;
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-default-apps", "--no-first-run", "--mute-audio", "--hide-scrollbars",
            "--disable-extensions", "--remote-debugging-port=0", $"--user-data-dir={profile}", $"--window-size={width},{height}",
            "about:blank",
        })
            start.ArgumentList.Add(arg);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {binary}");
        var browser = new HeadlessChromium(process, profile);
        try
        {
            var wsUrl = await ReadDevToolsUrlAsync(process, ct);
            var port = new Uri(wsUrl).Port;
            using var http = new HttpClient();
            var targets = JsonNode.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/json/list"), ct)) as JsonArray;
            var page = targets?.OfType<JsonObject>().FirstOrDefault(t => (string?)t["type"] == "page")
                ?? throw new InvalidOperationException("chromium has no page target");
            await browser._socket.ConnectAsync(new Uri((string)page["webSocketDebuggerUrl"]!), ct);
            browser._receiver = Task.Run(browser.ReceiveLoopAsync, CancellationToken.None);
            await browser.SendAsync("Page.enable", null, ct);
            await browser.SendAsync("Runtime.enable", null, ct);
            await browser.SendAsync("Log.enable", null, ct);
            await browser.SendAsync("Emulation.setDeviceMetricsOverride",
                new JsonObject { ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = false }, ct);
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    private static async Task<string> ReadDevToolsUrlAsync(Process process, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var seen = new StringBuilder();
        while (true)
        {
            var line = await process.StandardError.ReadLineAsync(timeout.Token)
                ?? throw new InvalidOperationException($"chromium exited before opening DevTools: {seen}");
            seen.AppendLine(line);
            const string marker = "DevTools listening on ";
            var at = line.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0)
            {
                _ = process.StandardError.ReadToEndAsync(CancellationToken.None); // keep the pipe drained
                _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                return line[(at + marker.Length)..].Trim();
            }
        }
    }

    /// <summary>Sends one CDP command and returns its result (throws on a protocol error).</summary>
    public async Task<JsonObject> SendAsync(string method, JsonObject? parameters, CancellationToken ct)
    {
        var id = Interlocked.Increment(ref _nextId);
        var tcs = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = tcs;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, ct);
        using var registration = ct.Register(() => tcs.TrySetCanceled(ct));
        var response = await tcs.Task;
        if (response["error"] is JsonObject error) throw new InvalidOperationException($"{method}: {error["message"]}");
        return response["result"] as JsonObject ?? [];
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[1 << 16];
        using var message = new MemoryStream();
        try
        {
            while (_socket.State == WebSocketState.Open && !_stop.IsCancellationRequested)
            {
                var result = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close) break;
                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage) continue;
                var json = JsonNode.Parse(message.GetBuffer().AsSpan(0, (int)message.Length)) as JsonObject;
                message.SetLength(0);
                if (json is null) continue;
                if (json["id"] is JsonValue idValue && _pending.TryRemove(idValue.GetValue<int>(), out var tcs)) tcs.TrySetResult(json);
                else OnEvent((string?)json["method"], json["params"] as JsonObject);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
        foreach (var tcs in _pending.Values) tcs.TrySetException(new InvalidOperationException("chromium closed the DevTools connection"));
    }

    private void OnEvent(string? method, JsonObject? p)
    {
        if (method == "Page.loadEventFired")
        {
            _loaded.TrySetResult();
        }
        else if (method == "Runtime.exceptionThrown")
        {
            var details = p?["exceptionDetails"];
            _errors.Enqueue($"uncaught: {details?["exception"]?["description"] ?? details?["text"]}");
        }
        else if (method == "Runtime.consoleAPICalled" && GetString(p, "type") is "error" or "assert")
        {
            var args = p?["args"] as JsonArray ?? [];
            _errors.Enqueue($"console.error: {string.Join(' ', args.Select(a => a?["value"]?.ToString() ?? a?["description"]?.ToString()))}");
        }
        else if (method == "Log.entryAdded" && p?["entry"] is JsonObject entry && GetString(entry, "level") == "error")
        {
            _errors.Enqueue($"log: {entry["text"]} {entry["url"]}");
        }
    }

    private static string? GetString(JsonObject? o, string name) => o?[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>Navigates and waits for the load event.</summary>
    public async Task NavigateAsync(string url, CancellationToken ct)
    {
        _loaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var result = await SendAsync("Page.navigate", new JsonObject { ["url"] = url }, ct);
        if (result["errorText"] is JsonValue error) throw new InvalidOperationException($"cannot open {url}: {error}");
        await _loaded.Task.WaitAsync(TimeSpan.FromSeconds(60), ct);
    }

    /// <summary>Evaluates a JavaScript expression (awaiting a promise) and returns its JSON value.</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression, CancellationToken ct)
    {
        var result = await SendAsync("Runtime.evaluate",
            new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true }, ct);
        if (result["exceptionDetails"] is JsonObject ex)
            throw new InvalidOperationException($"evaluating '{expression}': {ex["exception"]?["description"] ?? ex["text"]}");
        return result["result"]?["value"]?.DeepClone();
    }

    /// <summary>Polls an expression until it is true; returns false on timeout.</summary>
    public async Task<bool> WaitForAsync(string expression, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (await EvaluateAsync(expression, ct) is JsonValue v && v.TryGetValue<bool>(out var b) && b) return true;
            await Task.Delay(50, ct);
        }
        return false;
    }

    /// <summary>Sends a mouse event at viewport coordinates (type: mouseMoved, mousePressed, mouseReleased, mouseWheel).</summary>
    public Task MouseAsync(string type, double x, double y, CancellationToken ct, double deltaY = 0)
    {
        var p = new JsonObject { ["type"] = type, ["x"] = x, ["y"] = y, ["button"] = type == "mouseMoved" ? "none" : "left", ["clickCount"] = 1 };
        if (type == "mouseWheel") { p["deltaX"] = 0; p["deltaY"] = deltaY; p["button"] = "none"; }
        if (type == "mouseMoved" && deltaY < 0) p["buttons"] = 1; // dragging with the left button held
        return SendAsync("Input.dispatchMouseEvent", p, ct);
    }

    /// <summary>Drags with the left button from (x0, y) to (x1, y) in a few steps.</summary>
    public async Task DragAsync(double x0, double x1, double y, CancellationToken ct)
    {
        await MouseAsync("mouseMoved", x0, y, ct);
        await MouseAsync("mousePressed", x0, y, ct);
        for (var i = 1; i <= 5; i++) await MouseAsync("mouseMoved", x0 + ((x1 - x0) * i / 5), y, ct, deltaY: -1);
        await SendAsync("Input.dispatchMouseEvent", new JsonObject { ["type"] = "mouseReleased", ["x"] = x1, ["y"] = y, ["button"] = "left", ["clickCount"] = 1 }, ct);
    }

    /// <summary>Saves a PNG of the whole page.</summary>
    public async Task ScreenshotAsync(string path, CancellationToken ct)
    {
        var metrics = await SendAsync("Page.getLayoutMetrics", null, ct);
        var size = metrics["cssContentSize"] ?? metrics["contentSize"];
        var clip = new JsonObject
        {
            ["x"] = 0, ["y"] = 0, ["scale"] = 1,
            ["width"] = Math.Ceiling((double)size!["width"]!),
            ["height"] = Math.Min(6000, Math.Ceiling((double)size["height"]!)),
        };
        var shot = await SendAsync("Page.captureScreenshot",
            new JsonObject { ["format"] = "png", ["captureBeyondViewport"] = true, ["clip"] = clip }, ct);
        await File.WriteAllBytesAsync(path, Convert.FromBase64String((string)shot["data"]!), ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
        }
        if (_receiver is not null) await _receiver.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        _socket.Dispose();
        _process.Dispose();
        _stop.Dispose();
        try { Directory.Delete(_profile, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
