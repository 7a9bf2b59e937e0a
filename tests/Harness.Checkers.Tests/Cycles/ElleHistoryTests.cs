using Harness.Checkers.Cycles;
using Harness.Core.Checking;
using Harness.Core.Histories;
using Harness.Core.Histories.Formats;

namespace Harness.Checkers.Tests.Cycles;

/// <summary>Histories from jepsen-io/elle with the anomaly Elle reports (TestData/elle/MANIFEST.tsv).</summary>
public sealed class ElleHistoryTests
{
    private static readonly string Dir = Path.Combine(AppContext.BaseDirectory, "TestData", "elle");

    public static TheoryData<string, string> Manifest()
    {
        var data = new TheoryData<string, string>();
        foreach (var line in File.ReadLines(Path.Combine(Dir, "MANIFEST.tsv")).Skip(1))
        {
            var cols = line.Split('\t');
            if (cols.Length >= 3 && cols[1] == "list-append") data.Add(cols[0], cols[2]);
        }
        return data;
    }

    /// <summary>Reads a history as `harness check` does: the history rules must hold.</summary>
    private static History Load(string path)
    {
        var rules = new HistoryRules(path);
        var history = EdnHistoryImporter.ReadFile(Path.Combine(Dir, path), rules);
        rules.Finish();
        return history;
    }

    [Theory]
    [MemberData(nameof(Manifest))]
    public void Should_Find_The_Anomaly_Elle_Reports_When_Checking_Elle_Histories(string path, string expected)
    {
        // Given an Elle history and the anomaly Elle reports for it
        var history = Load(path);

        // When checked under the strongest model (every anomaly forbidden)
        var result = new ListAppendChecker(ConsistencyModels.StrictSerializable).Check(history, CancellationToken.None);

        // Then it is invalid and the expected anomaly is reported
        Assert.Equal(Validity.Invalid, result.Validity);
        Assert.True(result.Anomalies.Any(a => a.Type == expected), result.Summary + "\n" + string.Join("\n", result.Anomalies.Select(a => a.Explanation)));
    }

    [Fact]
    public void Should_Allow_Write_Skew_Under_Snapshot_Isolation_But_Not_Repeatable_Read_When_Checking_Si_Without_G_Single()
    {
        // Given Elle's si-without-g-single history (a G2-item cycle whose rw edges are adjacent)
        var history = Load("histories/si-without-g-single.edn");

        // When checked for snapshot isolation and for repeatable read
        var si = new ListAppendChecker(ConsistencyModels.Parse("snapshot-isolation")).Check(history, CancellationToken.None);
        var rr = new ListAppendChecker(ConsistencyModels.Parse("repeatable-read")).Check(history, CancellationToken.None);

        // Then SI holds (no G-single, no G-nonadjacent) and repeatable read does not
        Assert.Equal(Validity.Valid, si.Validity);
        Assert.DoesNotContain(si.Anomalies, a => a.Type is "G-single" or "G-nonadjacent");
        Assert.Equal(Validity.Invalid, rr.Validity);
        Assert.Contains(rr.Anomalies, a => a.Type == "G2-item");
    }

    [Fact]
    public void Should_Find_A_Data_Only_G_Single_When_Checking_The_Paper_Example()
    {
        // Given the Elle paper's example. Besides the real-time cycle, it is not even serializable: T3 (op 7) missed
        // T1's append of 8 to key 255 (so T3 before T1), T2 (op 5) saw it (T1 before T2), yet T2's read of key 256,
        // [1 2 4], lacks T3's committed append of 3, which therefore comes after T2's 4 (T2 before T3).
        var history = Load("histories/paper-example.edn");

        // When checked for (non-strict) serializability
        var result = new ListAppendChecker(ConsistencyModels.Serializable).Check(history, CancellationToken.None);

        // Then the three-transaction G-single is reported
        Assert.Equal(Validity.Invalid, result.Validity);
        var cycle = Assert.Single(result.Anomalies, a => a.Type == "G-single");
        Assert.Equal([3L, 5L, 7L], cycle.Ops.Order());
    }
}
