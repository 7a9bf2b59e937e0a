using Harness.Core.Edn;
using Harness.Core.Histories;

namespace Harness.Core.Tests.Edn;

public sealed class EdnReaderTests
{
    [Fact]
    public void Should_ReadScalars_When_ParsingAtoms()
    {
        // Given / When / Then
        Assert.Equal(Datum.Nil, EdnReader.Parse("nil"));
        Assert.Equal(Datum.True, EdnReader.Parse("true"));
        Assert.Equal(Datum.False, EdnReader.Parse("false"));
        Assert.Equal(Datum.Of(42), EdnReader.Parse("42"));
        Assert.Equal(Datum.Of(-7), EdnReader.Parse("-7"));
        Assert.Equal(Datum.Of(5), EdnReader.Parse("+5"));
        Assert.Equal(Datum.Of(12345678901234), EdnReader.Parse("12345678901234N"));
        Assert.Equal(Datum.Of(1.5), EdnReader.Parse("1.5"));
        Assert.Equal(Datum.Of(2.5), EdnReader.Parse("2.5M"));
        Assert.Equal(Datum.Of(1e3), EdnReader.Parse("1e3"));
        Assert.Equal(Datum.Of(0.5), EdnReader.Parse("1/2"));
        Assert.Equal(Datum.Kw("invoke"), EdnReader.Parse(":invoke"));
        Assert.Equal(Datum.Kw("jepsen.history/op"), EdnReader.Parse(":jepsen.history/op"));
        Assert.Equal(Datum.Sym("foo-bar?"), EdnReader.Parse("foo-bar?"));
        Assert.Equal(Datum.Of(double.PositiveInfinity), EdnReader.Parse("##Inf"));
    }

    [Fact]
    public void Should_DecodeEscapes_When_ReadingStringsAndChars()
    {
        // Given strings with escapes and character literals
        // When / Then
        Assert.Equal(Datum.Of("a\"b\\c\nd\te\u00e9"), EdnReader.Parse("\"a\\\"b\\\\c\\nd\\te\\u00e9\""));
        Assert.Equal(Datum.Of("x"), EdnReader.Parse("\\x"));
        Assert.Equal(Datum.Of("\n"), EdnReader.Parse("\\newline"));
        Assert.Equal(Datum.Of(" "), EdnReader.Parse("\\space"));
        Assert.Equal(Datum.Of("A"), EdnReader.Parse("\\u0041"));
        Assert.Equal(Datum.Vec(Datum.Of("("), Datum.Of(1)), EdnReader.Parse("[\\( 1]"));
    }

    [Fact]
    public void Should_ReadCollections_When_NestedWithCommasAndComments()
    {
        // Given a map with a vector, a list, a set, commas and comments
        var d = EdnReader.Parse("""
            ; a comment
            {:type :ok, ; trailing comment
             :value [1 2 3],
             :l (a "b" :c),
             :s #{1 2}}
            """);
        // When / Then
        Assert.Equal(DatumKind.Map, d.Kind);
        Assert.Equal(Datum.Kw("ok"), d.Get("type"));
        Assert.True(d.Get("value")!.TryGetLongs(out var longs));
        Assert.Equal([1L, 2L, 3L], longs.ToArray());
        Assert.Equal(DatumKind.List, d.Get("l")!.Kind);
        Assert.Equal(Datum.List([Datum.Sym("a"), Datum.Of("b"), Datum.Kw("c")]), d.Get("l"));
        Assert.Equal(Datum.Set([Datum.Of(2), Datum.Of(1)]), d.Get("s"));
    }

    [Fact]
    public void Should_SkipTheNextForm_When_UsingDiscard()
    {
        // Given #_ before values, including nested and at the end of a collection
        // When / Then
        Assert.Equal(Datum.Vec(Datum.Of(1), Datum.Of(3)), EdnReader.Parse("[1 #_ 2 3 #_ [4 5]]"));
        Assert.Equal(Datum.Of(2), EdnReader.Parse("#_ #_ 0 1 2"));
    }

    [Fact]
    public void Should_KeepTagAndValue_When_ReadingTaggedLiterals()
    {
        // Given a Jepsen op record and an instant
        var op = EdnReader.Parse("#jepsen.history.Op{:index 0, :type :invoke}");
        var inst = EdnReader.Parse("#inst \"2024-01-01T00:00:00Z\"");
        // When / Then
        Assert.True(op.TryGetTagged(out var tag, out var value));
        Assert.Equal("jepsen.history.Op", tag);
        Assert.Equal(Datum.Kw("invoke"), value.Get("type"));
        Assert.True(inst.TryGetTagged(out var t2, out var v2));
        Assert.Equal("inst", t2);
        Assert.Equal(Datum.Of("2024-01-01T00:00:00Z"), v2);
    }

    [Fact]
    public void Should_ReadEveryTopLevelForm_When_TheTextIsASequence()
    {
        // Given two maps on separate lines
        var all = EdnReader.ParseAll("{:a 1}\n{:a 2}\n").ToList();
        // When / Then
        Assert.Equal(2, all.Count);
        Assert.Equal(Datum.Of(2), all[1].Get("a"));
    }

    [Theory]
    [InlineData("[1 2\n3", 1, "no closing ']'")]
    [InlineData("{:a 1\n :b}", 1, "even number")]
    [InlineData("[1 2]\n]", 2, "unexpected ']'")]
    [InlineData("\n\n\"abc", 3, "unterminated string")]
    [InlineData("[1\n 2)", 2, "expected ']'")]
    [InlineData("\"\\q\"", 1, "unknown escape")]
    [InlineData("\n12abc", 2, "bad number")]
    [InlineData("#", 1, "end of file")]
    public void Should_NameTheLine_When_TheTextIsMalformed(string text, int line, string message)
    {
        // Given malformed EDN
        // When parsing it
        var e = Assert.Throws<HistoryFormatException>(() => EdnReader.ParseAll(text, "h.edn").ToList());
        // Then the error names the file, the line and the problem
        Assert.Equal("h.edn", e.File);
        Assert.Equal(line, e.Line);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_RoundTrip_When_WritingAndReadingBack()
    {
        // Given a datum with every kind of value
        var d = EdnReader.Parse("{:a [1 -2 3.5 nil true \"s\\n\\\"q\\\"\"], \"k\" (x :y), :s #{:z}, :t #inst \"2020\"}");
        // When writing it as EDN and reading it back
        var again = EdnReader.Parse(EdnWriter.ToEdn(d));
        // Then it is the same value
        Assert.Equal(d, again);
    }

    [Theory]
    [InlineData("[", "]")]
    [InlineData("{:a ", "}")]
    [InlineData("#t ", "")]
    [InlineData("#_ ", " 1")]
    public void Should_RefuseWithTheLine_When_ValuesNestTooDeeply(string open, string close)
    {
        // Given 30,000 nested levels (a stack overflow when read recursively), on line 2
        var text = "\n" + string.Concat(Enumerable.Repeat(open, 30_000)) + "1" + string.Concat(Enumerable.Repeat(close, 30_000));
        // When parsing it
        var e = Assert.Throws<HistoryFormatException>(() => EdnReader.ParseAll(text, "deep.edn").ToList());
        // Then a format error names the file, the line and the limit
        Assert.Equal("deep.edn", e.File);
        Assert.Equal(2, e.Line);
        Assert.Contains($"nested more than {EdnReader.MaxDepth} levels", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_ReadValues_When_TheyNestUpToTheLimit()
    {
        // Given a value nested exactly MaxDepth levels
        var text = new string('[', EdnReader.MaxDepth - 1) + "1" + new string(']', EdnReader.MaxDepth - 1);
        // When / Then it parses
        Assert.True(EdnReader.Parse(text).IsSeq);
    }
}
