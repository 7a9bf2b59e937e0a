using Harness.Core.Histories;

namespace Harness.Core.Tests.Histories;

public sealed class HistoryJsonTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("harness-jsonl-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Lines = """
        {"type":"invoke","process":0,"f":"write","value":1}
        {"type":"ok","process":0,"f":"write","value":1}
        {"type":"invoke","process":1,"f":"read","value":null}

        """;

    private string Write(string text)
    {
        var path = Path.Combine(_dir, "history.jsonl");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Should_SkipItWithAWarning_When_TheFinalLineIsTorn()
    {
        // Given a history whose writer was killed in the middle of its fourth line
        var path = Write(Lines + """{"type":"ok","process":1,"f":"re""");
        // When reading it, whole and streamed
        var history = HistoryJson.ReadFile(path);
        var warnings = new List<string>();
        var streamed = HistoryJson.ReadOperations(path, warnings.Add).ToList();
        // Then the three lines before it are kept and one warning names the file and line
        Assert.Equal(3, history.Count);
        Assert.Equal(3, streamed.Count);
        var warning = Assert.Single(history.Warnings);
        Assert.StartsWith($"{path}:4: warning: the last line is cut short", warning, StringComparison.Ordinal);
        Assert.Contains("kept the 3 operations before it", warning, StringComparison.Ordinal);
        Assert.Equal(warning, Assert.Single(warnings));
    }

    [Theory]
    [InlineData("middle")]
    [InlineData("final-with-newline")]
    public void Should_Throw_When_AnUnreadableLineIsNotATornEnd(string where)
    {
        // Given an unreadable line in the middle, or a complete (newline-terminated) unreadable last line
        var path = Write(where == "middle" ? Lines.Replace("\"ok\"", "\"ok", StringComparison.Ordinal) : Lines + "{\"type\":\"ok\",\n");
        // When reading it
        var e = Assert.Throws<HistoryFormatException>(() => HistoryJson.ReadFile(path));
        // Then the error names the file and the line
        Assert.Equal(path, e.File);
        Assert.Equal(where == "middle" ? 2 : 4, e.Line);
    }

    [Fact]
    public void Should_HaveNoWarnings_When_TheFileEndsWithoutANewlineButIsComplete()
    {
        // Given a complete last line with no newline after it
        var path = Write(Lines + """{"type":"ok","process":1,"f":"read","value":1}""");
        // When reading it
        var history = HistoryJson.ReadFile(path);
        // Then every operation is read and nothing is reported
        Assert.Equal(4, history.Count);
        Assert.Empty(history.Warnings);
    }
}
