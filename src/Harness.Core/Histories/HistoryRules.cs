namespace Harness.Core.Histories;

/// <summary>
/// The pairing rules of docs/history-format.md, checked operation by operation while a file is read so that a
/// violation names its file and line: a completion follows an open invocation of its own process with the same f,
/// and a process invokes again only once its operation completed. Nemesis operations are not paired (a bare
/// nemesis info is allowed). With <see cref="Fs"/>, every client operation must also be one the checked workload
/// knows. <see cref="Finish"/> refuses a history without any client operation: there is nothing to check.
/// Readers take it as an optional argument (<c>HistoryFiles.Read</c>); a violation is a <see cref="HistoryFormatException"/>.
/// </summary>
public sealed class HistoryRules(string file)
{
    private readonly Dictionary<int, (string F, long Line)> _open = [];

    /// <summary>The client fs the checked workload knows (null: any), named in errors as <see cref="Workload"/>.</summary>
    public IReadOnlySet<string>? Fs { get; init; }

    /// <summary>The workload <see cref="Fs"/> belong to, e.g. "set".</summary>
    public string Workload { get; init; } = "";

    /// <summary>Client operations seen so far.</summary>
    public long ClientOps { get; private set; }

    /// <summary>Nemesis operations seen so far.</summary>
    public long NemesisOps { get; private set; }

    /// <summary>Checks the next operation, read from <paramref name="line"/> (1-based).</summary>
    public void Add(Operation op, long line)
    {
        if (op.IsNemesis)
        {
            NemesisOps++;
            return;
        }
        ClientOps++;
        if (Fs is not null && !Fs.Contains(op.F))
            throw new HistoryFormatException(file, line, $"{op.F} is not an operation of a {Workload} history (it has only {string.Join(" and ", Fs.Order(StringComparer.Ordinal))}); this is another workload's history: check it with the --workload or --model of the test that wrote it");
        if (op.IsInvoke)
        {
            if (_open.TryGetValue(op.Process, out var pending))
                throw new HistoryFormatException(file, line, $"process {op.Process} invokes {op.F} while its {pending.F} from line {pending.Line} has not completed (a process has one operation open at a time)");
            _open[op.Process] = (op.F, line);
            return;
        }
        if (!_open.Remove(op.Process, out var invoke))
            throw new HistoryFormatException(file, line, $"{HistoryJson.TypeName(op.Type)} of {op.F} by process {op.Process} with no invocation before it (each completion follows an invoke of the same process)");
        if (invoke.F != op.F)
            throw new HistoryFormatException(file, line, $"process {op.Process} completes {op.F} but invoked {invoke.F} on line {invoke.Line} (a completion has its invocation's f)");
    }

    /// <summary>Throws when no client operation was read (an empty file, or only nemesis operations).</summary>
    public void Finish()
    {
        if (ClientOps == 0)
            throw new HistoryFormatException(file, 0, (NemesisOps == 0 ? "has no operations (an empty history)" : $"has no client operations (only {NemesisOps} nemesis operations)")
                + ", so there is nothing to check; pass the history a test wrote");
    }
}
