using Harness.Checkers.Linearizability;
using Harness.Core.Checking;
using Harness.Core.Histories;
using Harness.Core.Histories.Formats;

namespace Harness.Checkers.Tests.Linearizability;

/// <summary>Every history of TestData/{porcupine,knossos} gets the verdict in its MANIFEST.tsv.</summary>
public sealed class ExternalHistoriesTests
{
    private static string Dir(string source) => Path.Combine(AppContext.BaseDirectory, "TestData", source);

    public static TheoryData<string, string, string> Manifest(string source)
    {
        var data = new TheoryData<string, string, string>();
        foreach (var line in File.ReadLines(Path.Combine(Dir(source), "MANIFEST.tsv")).Skip(1))
        {
            var cols = line.Split('\t');
            if (cols.Length >= 3) data.Add(cols[0], cols[1], cols[2]);
        }
        return data;
    }

    public static TheoryData<string, string, string> Porcupine() => Manifest("porcupine");
    public static TheoryData<string, string, string> Knossos() => Manifest("knossos");

    [Theory]
    [MemberData(nameof(Porcupine))]
    public void Should_GiveTheUpstreamVerdict_When_CheckingAPorcupineHistory(string path, string model, string expected) =>
        AssertVerdict("porcupine", path, model, expected);

    [Theory]
    [MemberData(nameof(Knossos))]
    public void Should_GiveTheUpstreamVerdict_When_CheckingAKnossosHistory(string path, string model, string expected) =>
        AssertVerdict("knossos", path, model, expected);

    [Fact]
    public void Should_ListEveryManifestFile_When_ReadingTheManifests()
    {
        // Given the copied data directories
        // When listing their history files
        var porcupine = Directory.GetFiles(Path.Combine(Dir("porcupine"), "test_data"), "*", SearchOption.AllDirectories).Length;
        var knossos = Directory.GetFiles(Path.Combine(Dir("knossos"), "data"), "*.edn", SearchOption.AllDirectories).Length;
        // Then every file is covered by a manifest row
        Assert.Equal(porcupine, Porcupine().Count);
        Assert.Equal(knossos, Knossos().Count);
    }

    private static void AssertVerdict(string source, string path, string model, string expected)
    {
        // Given a history with a verdict established upstream, read as `harness check` reads it (the history rules hold)
        var file = Path.Combine(Dir(source), path);
        var rules = new HistoryRules(file);
        var history = HistoryFiles.Read(file, HistoryFormat.Auto, rules);
        // etcd_095.log is empty and mongodb-v0-ack-rollback-.edn holds only nemesis ops: `harness check` has nothing to check
        if (!history.ClientOps.Any()) Assert.Throws<HistoryFormatException>(rules.Finish);
        else rules.Finish();
        var checker = new LinearizabilityChecker(LinearizabilityModels.ByName(model switch
        {
            "etcd-cas-register" => "etcd",
            "kv-append" => "kv",
            _ => model,
        }));
        // When checking it (stopping at the first failing key, and with --all-keys)
        var result = checker.Check(history, CancellationToken.None);
        var everyKey = new LinearizabilityChecker(checker.Model) { AllKeys = true }.Check(history, CancellationToken.None);
        // Then the verdict matches either way, and a violation is explained with its prefix, stuck ops and state
        Assert.Equal(expected == "linearizable" ? Validity.Valid : Validity.Invalid, result.Validity);
        Assert.Equal(result.Validity, everyKey.Validity);
        Assert.True(everyKey.Anomalies.Length >= result.Anomalies.Length);
        if (result.Validity != Validity.Invalid) return;
        Assert.NotEmpty(result.Anomalies);
        foreach (var a in result.Anomalies)
        {
            Assert.Equal("nonlinearizable", a.Type);
            Assert.NotNull(a.Data);
            var stuck = a.Data!["stuck"]!.AsArray().Select(n => (long)n!).ToList();
            var all = a.Data["partition_ops"]!.AsArray().Select(n => (long)n!).ToHashSet();
            Assert.NotEmpty(stuck);
            Assert.All(stuck, i => Assert.Contains(i, all));
            Assert.All(a.Data["prefix"]!.AsArray(), n => Assert.Contains((long)n!, all));
            Assert.False(string.IsNullOrEmpty((string?)a.Data["state"]));
            Assert.All(a.Ops, i => Assert.Contains(i, all));
        }
    }
}
