using System.Net;

namespace Harness.Report;

/// <summary>
/// Serves a results directory (index.html, each run's report.html and files) over HTTP on 127.0.0.1 only:
/// static GET/HEAD, no directory listing beyond index.html, nothing outside the root: a file is served only when
/// its real path (symbolic links resolved) lies under the root's real path, so a link out of results/ is a 404
/// (results/latest, a link inside the root, still works).
/// </summary>
public sealed class ResultsServer : IDisposable
{
    private readonly string _root;
    private readonly string _realRoot;
    private readonly HttpListener _listener = new();

    /// <summary>Starts listening on http://127.0.0.1:<paramref name="port"/>/ (throws UserErrorException when the port is taken).</summary>
    public ResultsServer(string root, int port)
    {
        _root = Path.GetFullPath(root);
        _realRoot = RealPath(_root) ?? _root;
        Url = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(Url);
        try
        {
            _listener.Start();
        }
        catch (HttpListenerException e)
        {
            throw new Harness.Core.UserErrorException($"cannot listen on {Url}: {e.Message}; pick another port with --port");
        }
    }

    public string Url { get; }

    /// <summary>Answers requests until cancelled.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        using var registration = ct.Register(() => _listener.Stop());
        while (!ct.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                break; // stopped
            }
            _ = Task.Run(() => Answer(context), CancellationToken.None);
        }
        ct.ThrowIfCancellationRequested();
    }

    private void Answer(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            var request = context.Request;
            if (request.HttpMethod is not ("GET" or "HEAD"))
            {
                Status(response, 405, "only GET and HEAD");
                return;
            }
            var path = Resolve(request.Url?.AbsolutePath ?? "/");
            if (path is null)
            {
                Status(response, 404, "not found");
                return;
            }
            if (path == Path.Combine(_root, RunFiles.Index) && !File.Exists(path)) ReportWriter.WriteIndex(_root);
            response.ContentType = ContentType(path);
            response.Headers["Cache-Control"] = "no-cache";
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            response.ContentLength64 = file.Length;
            if (request.HttpMethod == "GET") file.CopyTo(response.OutputStream);
            response.Close();
        }
        catch (Exception e) when (e is IOException or HttpListenerException or UnauthorizedAccessException or Harness.Core.UserErrorException)
        {
            try { Status(response, 500, e.Message); } catch (Exception inner) when (inner is HttpListenerException or InvalidOperationException or ObjectDisposedException) { }
        }
    }

    /// <summary>The file for a URL path, or null when it is outside the root or missing.</summary>
    internal string? Resolve(string urlPath)
    {
        var relative = Uri.UnescapeDataString(urlPath).TrimStart('/');
        if (relative.Contains('\0', StringComparison.Ordinal)) return null;
        var full = Path.GetFullPath(Path.Combine(_root, relative));
        if (full != _root && !full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal)) return null;
        if (Directory.Exists(full)) full = Path.Combine(full, RunFiles.Index);
        if (full == Path.Combine(_root, RunFiles.Index) && !File.Exists(full)) return full; // written on demand
        if (!File.Exists(full) || RealPath(full) is not { } real) return null;
        return real.StartsWith(_realRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? real : null;
    }

    /// <summary>
    /// An absolute path with every symbolic link resolved, component by component, like realpath(3); null when
    /// links loop (more than 40) or cannot be read.
    /// </summary>
    internal static string? RealPath(string path)
    {
        var pending = new Stack<string>(Path.GetFullPath(path).Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        var real = new List<string>();
        var links = 0;
        while (pending.TryPop(out var part))
        {
            if (part == ".") continue;
            if (part == "..")
            {
                if (real.Count > 0) real.RemoveAt(real.Count - 1);
                continue;
            }
            var candidate = "/" + string.Join('/', real.Append(part));
            string? target;
            try
            {
                target = new FileInfo(candidate).LinkTarget;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
            if (target is null)
            {
                real.Add(part);
                continue;
            }
            if (++links > 40) return null;
            if (target.StartsWith('/')) real.Clear();
            foreach (var p in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse()) pending.Push(p);
        }
        return "/" + string.Join('/', real);
    }

    private static string ContentType(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".html" or ".htm" => "text/html; charset=utf-8",
        ".json" => "application/json; charset=utf-8",
        ".jsonl" or ".log" or ".txt" or ".edn" => "text/plain; charset=utf-8",
        ".png" => "image/png",
        ".svg" => "image/svg+xml",
        ".css" => "text/css; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        _ => "application/octet-stream",
    };

    private static void Status(HttpListenerResponse response, int code, string message)
    {
        response.StatusCode = code;
        response.ContentType = "text/plain; charset=utf-8";
        var bytes = System.Text.Encoding.UTF8.GetBytes(message + "\n");
        response.ContentLength64 = bytes.Length;
        response.OutputStream.Write(bytes);
        response.Close();
    }

    public void Dispose() => ((IDisposable)_listener).Dispose();
}
