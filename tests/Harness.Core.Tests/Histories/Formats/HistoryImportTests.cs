using Harness.Core.Histories;
using Harness.Core.Histories.Formats;

namespace Harness.Core.Tests.Histories.Formats;

public sealed class HistoryImportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("harness-format-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Should_ReadJepsenOps_When_TheFileIsAVectorOfMaps()
    {
        // Given a Knossos-style history with a nemesis op, a fail, an info and comments
        var path = Write("h.edn", """
            [{:process 0, :type :invoke, :f :write, :value 1, :time 10}
             ; a comment
             {:process :nemesis, :type :info, :f :start, :value nil}
             {:process 0, :type :ok, :f :write, :value 1, :time 20}
             {:process 1 :type :invoke :f :cas :value [1 2]}
             {:process 1 :type :fail :f :cas :value [1 2] :error :mismatch}
             {:process 2 :type :invoke :f :read :value nil}
             {:process 2 :type :info :f :read :value nil}]
            """);
        // When reading it
        var h = HistoryFiles.Read(path);
        // Then every op is there in file order, with types, processes, values, time and error
        Assert.Equal(7, h.Count);
        Assert.Equal(OpType.Invoke, h[0].Type);
        Assert.Equal("write", h[0].F);
        Assert.Equal(Datum.Of(1), h[0].Value);
        Assert.Equal(10, h[0].TimeNanos);
        Assert.True(h[1].IsNemesis);
        Assert.Equal("start", h[1].F);
        Assert.Same(h[0], h.Invocation(h[2]));
        Assert.Equal(OpType.Fail, h[4].Type);
        Assert.Equal("mismatch", h[4].Error);
        Assert.Equal(OpType.Info, h[6].Type);
    }

    [Fact]
    public void Should_ReadAPlainSequence_When_OpsAreTaggedRecordsOnSeparateLines()
    {
        // Given Elle-style ops: a plain sequence of tagged op maps, without :process and :f
        var path = Write("e.edn", """
            #jepsen.history.Op{:index 0 :type :invoke :value [[:append 1 2] [:r 1 nil]]}
            #jepsen.history.Op{:index 1 :type :ok :value [[:append 1 2] [:r 1 [2]]]}
            """);
        // When reading it
        var h = HistoryFiles.Read(path);
        // Then the two events form one txn pair
        Assert.Equal(2, h.Count);
        Assert.Equal("txn", h[0].F);
        Assert.Same(h[0], h.Invocation(h[1]));
        Assert.Equal(Datum.Kw("append"), h[1].Value![0][0]);
    }

    [Fact]
    public void Should_ReadPorcupineEtcdLines_When_FieldsAreTabsOrSpaces()
    {
        // Given etcd log lines with tabs and with spaces, a failed cas, a timed-out read and an info write
        var path = Write("etcd_001.log",
            "INFO  jepsen.util - 0\t:invoke\t:read\tnil\n" +
            "INFO  jepsen.util - 0\t:ok\t:read\t3\n" +
            "INFO  jepsen.util - 1 :invoke :cas [4 0]\n" +
            "INFO  jepsen.util - 1 :fail :cas [4 0]\n" +
            "INFO  jepsen.util - 2\t:invoke\t:read\tnil\n" +
            "INFO  jepsen.util - 2\t:fail\t:read\t:timed-out\n" +
            "INFO  jepsen.util - 3\t:invoke\t:write\t4\n" +
            "INFO  jepsen.util - 3\t:info\t:write\t:timed-out\n");
        // When reading it with format detection
        Assert.Equal(HistoryFormat.PorcupineEtcd, HistoryFiles.Detect(path));
        var h = HistoryFiles.Read(path);
        // Then values are parsed and the failure kinds are kept
        Assert.Equal(8, h.Count);
        Assert.Equal(Datum.Of(3), h[1].Value);
        Assert.Equal(Datum.Ints(4, 0), h[2].Value);
        Assert.Equal(OpType.Fail, h[3].Type);
        Assert.Equal("compare-failed", h[3].Error);
        Assert.Equal(OpType.Fail, h[5].Type);
        Assert.Equal("timed-out", h[5].Error);
        Assert.Equal(OpType.Info, h[7].Type);
        Assert.Equal(Datum.Of(4), h[7].Value);
    }

    [Fact]
    public void Should_NameTheLine_When_AnEtcdLineIsBad()
    {
        // Given a log with a bad type on line 2
        var path = Write("bad.log", "INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - 0\t:done\t:read\t3\n");
        // When / Then
        var e = Assert.Throws<HistoryFormatException>(() => HistoryFiles.Read(path, HistoryFormat.PorcupineEtcd));
        Assert.Equal(2, e.Line);
        Assert.Contains(":done", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_WrapKeyAndValue_When_ReadingPorcupineKvLines()
    {
        // Given kv log lines
        var path = Write("c01-ok.txt",
            "{:process 0, :type :invoke, :f :append, :key \"0\", :value \"x 0 0 y\"}\n" +
            "{:process 0, :type :ok, :f :append, :key \"0\", :value \"x 0 0 y\"}\n");
        // When reading it with detection
        Assert.Equal(HistoryFormat.PorcupineKv, HistoryFiles.Detect(path));
        var h = HistoryFiles.Read(path);
        // Then the value is {"key":k,"value":v}
        Assert.Equal(Datum.Of("0"), h[0].Value!.Get("key"));
        Assert.Equal(Datum.Of("x 0 0 y"), h[1].Value!.Get("value"));
    }

    [Theory]
    [InlineData("[{:type :invoke :process 0 :f :read}\n {:process 0 :f :read}]", 2, "no :type")]
    [InlineData("[{:type :invoke :process 0 :f :read}\n {:type :done :process 0 :f :read}]", 2, "unknown :type")]
    [InlineData("[{:type :invoke :process \"p\" :f :read}]", 1, ":process must be")]
    [InlineData("[{:type :invoke :process 0 :f :read}\n 42]", 2, "expected an op map")]
    [InlineData("[{:type :invoke :process 0 :f :read}\n", 2, "missing ']'")]
    public void Should_NameTheLine_When_AnEdnOpIsBad(string text, int line, string message)
    {
        // Given a bad EDN history
        var path = Write("bad.edn", text);
        // When / Then
        var e = Assert.Throws<HistoryFormatException>(() => HistoryFiles.Read(path));
        Assert.Equal(line, e.Line);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Contains("bad.edn", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_RoundTripThroughJepsenEdn_When_Exporting()
    {
        // Given a harness history with a txn, a keyed register op, a nemesis op and an error
        var ops = new History([
            Operation.Invoke(0, "txn", Datum.Vec(Datum.Vec(Datum.Of("append"), Datum.Of(1), Datum.Of(2)), Datum.Vec(Datum.Of("r"), Datum.Of(1), Datum.Nil))) with { TimeNanos = 5 },
            new Operation(OpType.Ok, 0, "txn", Datum.Vec(Datum.Vec(Datum.Of("append"), Datum.Of(1), Datum.Of(2)), Datum.Vec(Datum.Of("r"), Datum.Of(1), Datum.Ints(2)))),
            new Operation(OpType.Info, Operation.NemesisProcess, "start-partition", Datum.Map([new(Datum.Of("shape"), Datum.Of("majority"))])),
            Operation.Invoke(1, "write", Datum.Map([new(Datum.Of("key"), Datum.Of(3)), new(Datum.Of("value"), Datum.Of(4))])),
            new Operation(OpType.Info, 1, "write", Datum.Nil) { Error = "timeout" },
        ]);
        // When exporting to EDN and importing it again
        var edn = EdnHistoryExporter.ToEdn(ops);
        var back = EdnHistoryImporter.Read(edn, "x.edn");
        // Then types, processes, fs and errors survive, and Jepsen keywords are used
        Assert.Contains("{:index 0, :type :invoke, :process 0, :f :txn, :value [[:append 1 2] [:r 1 nil]], :time 5}", edn, StringComparison.Ordinal);
        Assert.Contains(":process :nemesis, :f :start-partition, :value {:shape \"majority\"}", edn, StringComparison.Ordinal);
        Assert.Contains(":value {:key 3, :value 4}", edn, StringComparison.Ordinal);
        Assert.Equal(ops.Count, back.Count);
        for (var i = 0; i < ops.Count; i++)
        {
            Assert.Equal(ops[i].Type, back[i].Type);
            Assert.Equal(ops[i].Process, back[i].Process);
            Assert.Equal(ops[i].F, back[i].F);
            Assert.Equal(ops[i].Error, back[i].Error);
        }
        Assert.Equal(Datum.Kw("r"), back[1].Value![1][0]);
    }

    [Theory]
    [InlineData("{\"index\":0,\"type\":\"invoke\"}", HistoryFormat.Jsonl)]
    [InlineData("INFO  jepsen.util - 0\t:invoke\t:read\tnil", HistoryFormat.PorcupineEtcd)]
    [InlineData("{:process 0, :type :invoke, :f :get, :key \"1\", :value nil}", HistoryFormat.PorcupineKv)]
    [InlineData("[{:process 0 :type :invoke}]", HistoryFormat.Edn)]
    [InlineData("; comment\n{:process 0 :type :invoke}", HistoryFormat.Edn)]
    [InlineData("", HistoryFormat.Jsonl)]
    public void Should_DetectTheFormat_When_LookingAtTheFirstCharacters(string head, HistoryFormat expected)
    {
        // Given / When / Then
        Assert.Equal(expected, HistoryFiles.DetectFromText(head));
    }

    [Fact]
    public void Should_RejectAnUnknownFormatName_When_Parsing()
    {
        // Given / When / Then
        var e = Assert.Throws<UserErrorException>(() => HistoryFiles.ParseFormat("yaml"));
        Assert.Contains("porcupine-etcd", e.Message, StringComparison.Ordinal);
    }
}
