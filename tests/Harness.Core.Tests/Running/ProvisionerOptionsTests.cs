using System.Collections.Immutable;
using Harness.Core.Control;
using Harness.Core.Running;
using Harness.Core.Runs;

namespace Harness.Core.Tests.Running;

public sealed class ProvisionerOptionsTests
{
    /// <summary>A provisioner kind with a repeatable host option that implies the node count.</summary>
    private sealed class HostsKind : IProvisionerKind
    {
        public static readonly TextOption Host = new("host", "a host", "HOST[:PORT]", repeatable: true,
            check: h => h.Contains(' ', StringComparison.Ordinal) ? "a host name has no spaces" : null);

        public static readonly TextOption Key = new("key", "a key file", "FILE", defaultValue: "~/.ssh/id");

        public string Name => "hosts";
        public string Description => "test kind";
        public ImmutableArray<SuiteOption> Options => [Host, Key];
        public int? ImpliedNodeCount(TestOptions options) => Host.AllOf(options) is { Length: > 0 } hosts ? hosts.Length : null;

        public TestOptions Resolve(TestOptions options) =>
            Host.AllOf(options).IsEmpty ? throw new UserErrorException("--provisioner hosts needs --host") : options;

        public IProvisioner Create(TestOptions options, TextWriter? status) => throw new NotSupportedException();
        public IProvisioner ForCleanup(TextWriter? status) => throw new NotSupportedException();
    }

    private static TestOptions With(params (string Name, string Value)[] values) => new()
    {
        Database = "postgres",
        ProvisionerOptions = values.ToImmutableSortedDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal),
    };

    [Fact]
    public void Should_Keep_Repeated_Values_In_Order_And_Take_The_Node_Count_From_Them_When_Resolved()
    {
        // Given / When
        var options = SuiteOptions.Resolve(new HostsKind(), With(("host", "b.example\na.example:2222\nc")));

        // Then the hosts stay in the order given, the default is filled in, and the count is the node count
        Assert.Equal(["b.example", "a.example:2222", "c"], HostsKind.Host.AllOf(options).ToArray());
        Assert.Equal("~/.ssh/id", HostsKind.Key.Of(options));
        Assert.Equal(3, options.NodeCount);
    }

    [Theory]
    [InlineData("image", "x", "--image is not an option of --provisioner hosts; see 'harness list'")]
    [InlineData("host", "a b", "--host a b: a host name has no spaces")]
    [InlineData("key", "", "--provisioner hosts needs --host")]
    public void Should_Refuse_With_One_Line_When_An_Option_Is_Foreign_Bad_Or_Missing(string name, string value, string message)
    {
        // Given / When
        var e = Assert.Throws<UserErrorException>(() => SuiteOptions.Resolve(new HostsKind(), With((name, value))));

        // Then
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Should_Refuse_A_Value_With_A_Control_Character_When_It_Is_Not_Repeatable()
    {
        // Given a value with a NUL (a newline separates the values of repeatable options only)
        var e = Assert.Throws<UserErrorException>(() => HostsKind.Key.Normalize("a\0b"));

        // Then
        Assert.StartsWith("--key accepts FILE, got", e.Message, StringComparison.Ordinal);
    }
}
