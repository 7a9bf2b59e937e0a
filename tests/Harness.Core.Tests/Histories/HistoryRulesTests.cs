using Harness.Core.Histories;
using Harness.Core.Histories.Formats;

namespace Harness.Core.Tests.Histories;

public sealed class HistoryRulesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("harness-rules-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private const string Invoke0 = """{"type":"invoke","process":0,"f":"write","value":1}""";

    [Theory]
    [InlineData("orphan", """{"type":"ok","process":0,"f":"write","value":1}""", 2, "with no invocation before it")]
    [InlineData("double", Invoke0, 2, "invokes write while its write from line 2 has not completed")]
    [InlineData("f-differs", """{"type":"ok","process":0,"f":"read","value":1}""", 2, "completes read but invoked write on line 2")]
    public void Should_NameTheLine_When_AJsonlHistoryBreaksARule(string name, string second, int line, string message)
    {
        // Given a blank line, an invoke, then a line that breaks a rule (an orphan completion by process 1 in the first case)
        var text = name == "orphan" ? $"\n{Invoke0}\n{second.Replace("\"process\":0", "\"process\":1", StringComparison.Ordinal)}\n" : $"\n{Invoke0}\n{second}\n";
        var path = Write(name + ".jsonl", text);
        // When reading it with the rules
        var e = Assert.Throws<HistoryFormatException>(() => HistoryFiles.Read(path, HistoryFormat.Auto, new HistoryRules(path)));
        // Then the error names the file and the line (counting the blank one)
        Assert.Equal((path, (long)line + 1), (e.File, e.Line));
        Assert.Contains(name == "orphan" ? "ok of write by process 1 with no invocation before it" : message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_NameTheLine_When_AnEdnOrPorcupineHistoryBreaksARule()
    {
        // Given a Knossos history and a Porcupine log, each completing an op that process 1 never invoked on line 3
        var edn = Write("h.edn", "[{:process 0 :type :invoke :f :read :value nil}\n {:process 0 :type :ok :f :read :value nil}\n {:process 1 :type :ok :f :read :value nil}]");
        var log = Write("etcd.log", "INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - 0\t:ok\t:read\tnil\nINFO  jepsen.util - 1\t:ok\t:read\tnil\n");
        // When reading them with the rules
        var e1 = Assert.Throws<HistoryFormatException>(() => HistoryFiles.Read(edn, HistoryFormat.Auto, new HistoryRules(edn)));
        var e2 = Assert.Throws<HistoryFormatException>(() => HistoryFiles.Read(log, HistoryFormat.PorcupineEtcd, new HistoryRules(log)));
        // Then both name line 3
        Assert.Equal((edn, 3L), (e1.File, e1.Line));
        Assert.Equal((log, 3L), (e2.File, e2.Line));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    [InlineData("""{"type":"info","process":"nemesis","f":"start-partition","value":null}""")]
    public void Should_RefuseToFinish_When_ThereIsNoClientOperation(string text)
    {
        // Given an empty file, blank lines, or only a nemesis op
        var path = Write("empty.jsonl", text);
        var rules = new HistoryRules(path);
        HistoryFiles.Read(path, HistoryFormat.Auto, rules);
        // When finishing / Then it says there is nothing to check
        var e = Assert.Throws<HistoryFormatException>(rules.Finish);
        Assert.Contains(text.StartsWith('{') ? "has no client operations (only 1 nemesis operations)" : "has no operations (an empty history)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_NameTheFirstForeignOperation_When_TheWorkloadDoesNotMatch()
    {
        // Given a register history checked as a set
        var path = Write("register.jsonl", $"{Invoke0}\n");
        var rules = new HistoryRules(path) { Fs = new HashSet<string> { "add", "read" }, Workload = "set" };
        // When reading it / Then line 1 is named with what a set history holds
        var e = Assert.Throws<HistoryFormatException>(() => HistoryFiles.Read(path, HistoryFormat.Auto, rules));
        Assert.Equal(1, e.Line);
        Assert.Contains("write is not an operation of a set history (it has only add and read)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_AcceptInfosAndNemesisOps_When_TheRulesHold()
    {
        // Given a history with a bare nemesis info, an info completion, a fail and an open invocation
        var path = Write("ok.jsonl", """
            {"type":"info","process":"nemesis","f":"start-partition","value":null}
            {"type":"invoke","process":0,"f":"write","value":1}
            {"type":"info","process":0,"f":"write","value":1}
            {"type":"invoke","process":1,"f":"cas","value":[1,2]}
            {"type":"fail","process":1,"f":"cas","value":[1,2]}
            {"type":"invoke","process":1,"f":"read","value":null}
            """);
        var rules = new HistoryRules(path);
        // When reading it / Then nothing is refused
        Assert.Equal(6, HistoryFiles.Read(path, HistoryFormat.Auto, rules).Count);
        rules.Finish();
        Assert.Equal(5, rules.ClientOps);
    }
}
