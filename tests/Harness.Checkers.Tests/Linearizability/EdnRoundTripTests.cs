using Harness.Checkers.Linearizability;
using Harness.Core.Histories;
using Harness.Core.Histories.Formats;

namespace Harness.Checkers.Tests.Linearizability;

/// <summary>Importing, exporting to Jepsen EDN and importing again keeps every op and every verdict.</summary>
public sealed class EdnRoundTripTests
{
    public static TheoryData<string, string, string> Knossos() => ExternalHistoriesTests.Knossos();

    [Theory]
    [MemberData(nameof(Knossos))]
    public void Should_KeepOpsAndVerdict_When_ExportingAKnossosHistoryAndReadingItBack(string path, string model, string expected)
    {
        // Given a Knossos history
        var original = HistoryFiles.Read(Path.Combine(AppContext.BaseDirectory, "TestData", "knossos", path));
        // When exporting it as Jepsen EDN and importing it again
        var again = EdnHistoryImporter.Read(EdnHistoryExporter.ToEdn(original), path);
        // Then the ops are the same and the checker gives the same (upstream) verdict
        Assert.Equal(original.Count, again.Count);
        for (var i = 0; i < original.Count; i++)
        {
            Assert.Equal(original[i].Type, again[i].Type);
            Assert.Equal(original[i].Process, again[i].Process);
            Assert.Equal(original[i].F, again[i].F);
            Assert.Equal(original[i].Value ?? Datum.Nil, again[i].Value);
            Assert.Equal(original[i].TimeNanos, again[i].TimeNanos);
        }
        var checker = new LinearizabilityChecker(LinearizabilityModels.ByName(model));
        var verdict = checker.Check(again, CancellationToken.None).Validity;
        Assert.Equal(expected == "linearizable" ? Harness.Core.Checking.Validity.Valid : Harness.Core.Checking.Validity.Invalid, verdict);
    }
}
