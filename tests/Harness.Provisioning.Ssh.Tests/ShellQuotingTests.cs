namespace Harness.Provisioning.Ssh.Tests;

public sealed class ShellQuotingTests
{
    public static TheoryData<string> Hostile => new(HostileArguments);

    private static readonly string[] HostileArguments =
    [
        "plain", "", " ", "two words", "'", "''", "\"", "it's", "a'b\"c", ";", "; rm -rf /", "$(id)", "`id`", "$HOME", "${PATH}", "\\",
        "\\'", "line1\nline2", "\n", "\t", "*", "?", "~", "&&", "|", ">x", "#c", "-n", "--", "ünïcødé ✓ 日本", "🎉", "!", "\r\n",
    ];

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Should_WrapInSingleQuotes_When_QuotingAnyArgument(string argument)
    {
        // When an argument is quoted
        var quoted = ShellQuoting.Quote(argument);

        // Then it is single-quoted, with every ' written as '\'' (the only character special inside single quotes)
        Assert.StartsWith("'", quoted, StringComparison.Ordinal);
        Assert.EndsWith("'", quoted, StringComparison.Ordinal);
        Assert.Equal(argument, quoted[1..^1].Replace("'\\''", "'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Should_ReachTheProgramByteForByte_When_ALocalPosixShellParsesTheCommandLine()
    {
        // Given every hostile argument in one command line, as sshd hands it to the user's shell
        string[] args = HostileArguments;
        var line = ShellQuoting.Join(["printf", "%s\\0", .. args]);

        // When /bin/sh parses and runs it
        var result = await HostCommand.RunAsync(["sh", "-c", line], CancellationToken.None);

        // Then printf received each argument exactly (one NUL-terminated field each)
        Assert.Equal(0, result.ExitCode);
        Assert.Equal([.. args, ""], result.Stdout.Split('\0'));
    }

    [Fact]
    public void Should_Refuse_When_AnArgumentContainsNul()
    {
        // When an argument holds a NUL (no argv can carry one), then quoting refuses it
        Assert.Throws<ArgumentException>(() => ShellQuoting.Quote("a\0b"));
        Assert.Throws<ArgumentException>(() => ShellQuoting.Join([]));
    }
}
