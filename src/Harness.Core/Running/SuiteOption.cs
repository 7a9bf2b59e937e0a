using System.Collections.Immutable;
using System.Globalization;
using Harness.Core.Nemeses;
using Harness.Core.Runs;

namespace Harness.Core.Running;

/// <summary>
/// One option a database suite declares (e.g. PostgreSQL's --replication), or a provisioner (e.g. docker's
/// --image): its name, help, default and the values it accepts, as data. The CLI builds <c>harness test &lt;db&gt;</c>
/// from these; the value chosen is kept, normalised, in <see cref="TestOptions.DatabaseOptions"/> (a suite's) or
/// <see cref="TestOptions.ProvisionerOptions"/> (a provisioner's) and read back with the option's <c>Of</c>.
/// </summary>
public abstract class SuiteOption
{
    private protected SuiteOption(string name, string description, string defaultValue)
    {
        Name = name;
        Description = description;
        Default = defaultValue;
    }

    /// <summary>The name without "--" (the key in <see cref="TestOptions.DatabaseOptions"/> or <see cref="TestOptions.ProvisionerOptions"/>).</summary>
    public string Name { get; }

    public string Flag => "--" + Name;

    public string Description { get; }

    /// <summary>The value when the option is not given (normalised).</summary>
    public string Default { get; }

    /// <summary>True for an on/off switch given without a value.</summary>
    public virtual bool IsSwitch => false;

    /// <summary>True for an option that may be given several times (its values are kept one per line).</summary>
    public virtual bool IsRepeatable => false;

    /// <summary>What the option accepts, for the help text (e.g. "async | sync").</summary>
    public abstract string Accepts { get; }

    /// <summary>Checks and normalises a value; throws <see cref="UserErrorException"/> naming the option and what it accepts.</summary>
    public abstract string Normalize(string value);

    /// <summary>When the option, given explicitly, cannot apply to the (resolved) options: the one line saying why
    /// and how to fix it, else null. An option that cannot apply is refused, never silently ignored.</summary>
    public Func<TestOptions, string?>? CannotApply { get; init; }

    /// <summary>The raw value in <paramref name="options"/> (the default when absent).</summary>
    protected string Raw(TestOptions options) =>
        options.DatabaseOptions.TryGetValue(Name, out var v) || options.ProvisionerOptions.TryGetValue(Name, out v) ? v : Default;

    private protected UserErrorException Bad(string value) => new($"{Flag} accepts {Accepts}, got '{value}'");
}

/// <summary>One value out of a fixed set (e.g. --replication async|sync|remote-apply).</summary>
public sealed class ChoiceOption(string name, string description, string defaultValue, params string[] choices)
    : SuiteOption(name, description, defaultValue)
{
    public ImmutableArray<string> Choices { get; } = [.. choices];

    public override string Accepts => string.Join(" | ", Choices);

    public override string Normalize(string value) => Choices.Contains(value.Trim()) ? value.Trim() : throw Bad(value);

    public string Of(TestOptions options) => Raw(options);
}

/// <summary>A whole number in a range (e.g. --sync-replicas 1..8); with <paramref name="auto"/>, also that word
/// (the default then), meaning the suite decides from the other options.</summary>
public sealed class IntegerOption(string name, string description, int defaultValue, int min, int max, string? auto = null)
    : SuiteOption(name, description, auto ?? defaultValue.ToString(CultureInfo.InvariantCulture))
{
    public int Min { get; } = min;
    public int Max { get; } = max;

    public override string Accepts => $"{(auto is null ? "" : $"{auto} or ")}a whole number from {Min} to {Max}";

    public override string Normalize(string value) =>
        auto is not null && value.Trim() == auto ? auto
        : int.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n >= Min && n <= Max
            ? n.ToString(CultureInfo.InvariantCulture)
            : throw Bad(value);

    /// <summary>The number chosen (the default when the option is automatic and left so).</summary>
    public int Of(TestOptions options) => OfOrAuto(options) ?? defaultValue;

    /// <summary>The number chosen, or null when the option was left automatic.</summary>
    public int? OfOrAuto(TestOptions options) => Raw(options) is var raw && raw == auto ? null : int.Parse(raw, CultureInfo.InvariantCulture);
}

/// <summary>An on/off switch (e.g. --fencing).</summary>
public sealed class SwitchOption(string name, string description) : SuiteOption(name, description, "false")
{
    public override bool IsSwitch => true;

    public override string Accepts => "true | false";

    public override string Normalize(string value) =>
        bool.TryParse(value.Trim(), out var b) ? (b ? "true" : "false") : throw Bad(value);

    public bool Of(TestOptions options) => Raw(options) == "true";
}

/// <summary>Zero or more values out of a fixed set, comma-separated (e.g. --bug stale-read,lost-write).</summary>
public sealed class ListOption(string name, string description, params string[] choices) : SuiteOption(name, description, "")
{
    public ImmutableArray<string> Choices { get; } = [.. choices];

    public override string Accepts => $"a comma-separated list of {string.Join(", ", Choices)}";

    public override string Normalize(string value)
    {
        var items = Split(value);
        foreach (var item in items)
            if (!Choices.Contains(item)) throw new UserErrorException($"{Flag}: unknown value '{item}'; valid values: {string.Join(", ", Choices)}");
        return string.Join(',', items.Distinct());
    }

    public ImmutableArray<string> Of(TestOptions options) => Split(Raw(options));

    private static ImmutableArray<string> Split(string value) =>
        [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(v => v != "none")];
}

/// <summary>Free text (e.g. --image NAME, --nodes-file FILE), checked by <paramref name="check"/> (null = fine, else
/// what is wrong, e.g. "no such file"); with <paramref name="repeatable"/>, given any number of times (--node A
/// --node B), the values kept one per line in order.</summary>
public sealed class TextOption(string name, string description, string accepts, string defaultValue = "", bool repeatable = false,
    Func<string, string?>? check = null) : SuiteOption(name, description, defaultValue)
{
    public override bool IsRepeatable => repeatable;

    public override string Accepts => accepts;

    public override string Normalize(string value)
    {
        var items = repeatable ? Split(value) : [value.Trim()];
        foreach (var item in items)
        {
            if (item.Contains('\n', StringComparison.Ordinal) || item.Contains('\0', StringComparison.Ordinal)) throw Bad(item);
            if (item.Length > 0 && check?.Invoke(item) is { } problem) throw new UserErrorException($"{Flag} {item}: {problem}");
        }
        return string.Join('\n', items);
    }

    /// <summary>The value ("" when not given).</summary>
    public string Of(TestOptions options) => Raw(options);

    /// <summary>Every value of a repeatable option, in the order given (empty when not given).</summary>
    public ImmutableArray<string> AllOf(TestOptions options) => Split(Raw(options));

    private static ImmutableArray<string> Split(string value) =>
        [.. value.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}

/// <summary>A combination of options a suite refuses, with the one line that says why and how to fix it.</summary>
public sealed record OptionRule(string Message, Func<TestOptions, bool> Refuses);

/// <summary>Checks a test's options against its suite: the workload, every database option, every rule.</summary>
public static class SuiteOptions
{
    /// <summary>The options with every database option normalised and every default filled in; throws
    /// <see cref="UserErrorException"/> for an unknown option, a bad value or a refused combination.</summary>
    public static TestOptions Resolve(ISuite suite, TestOptions options)
    {
        if (!suite.SupportedWorkloads.Contains(options.Workload))
            throw new UserErrorException($"{suite.Name} does not support the '{options.Workload}' workload; it supports: {string.Join(", ", suite.SupportedWorkloads.Order(StringComparer.Ordinal))}");
        foreach (var key in options.DatabaseOptions.Keys)
            if (!suite.Options.Any(o => o.Name == key))
                throw new UserErrorException($"{suite.Name} has no option --{key}; see 'harness test {suite.Name} --help'");
        var resolved = options with { DatabaseOptions = Normalize(suite.Options, options.DatabaseOptions) };
        foreach (var rule in suite.Rules)
            if (rule.Refuses(resolved)) throw new UserErrorException(rule.Message);
        return resolved;
    }

    /// <summary>As <see cref="Resolve(ISuite, TestOptions)"/>, then refuses every option in <paramref name="given"/>
    /// (the names, without "--", given explicitly on the command line) that cannot apply: one of
    /// <see cref="CommonRules"/> or the suite option's <see cref="SuiteOption.CannotApply"/>.</summary>
    public static TestOptions Resolve(ISuite suite, TestOptions options, IReadOnlySet<string> given)
    {
        var resolved = Resolve(suite, options);
        foreach (var (name, cannotApply) in CommonRules)
            if (given.Contains(name) && cannotApply(suite, resolved) is { } why) throw new UserErrorException(why);
        foreach (var option in suite.Options)
            if (given.Contains(option.Name) && option.CannotApply?.Invoke(resolved) is { } why) throw new UserErrorException(why);
        return resolved;
    }

    /// <summary>The workloads <see cref="TestOptions.KeyCount"/> applies to.</summary>
    private static readonly string[] KeyedWorkloads = ["register", "list-append", "session"];

    /// <summary>The options every test has that apply only with some other choice (by name without "--"), each with
    /// the line refusing it when it cannot apply.</summary>
    public static IReadOnlyList<(string Name, Func<ISuite, TestOptions, string?> CannotApply)> CommonRules { get; } =
    [
        ("partition-shape", (_, o) => o.Faults.Contains(NemesisPackages.Partition) ? null
            : "--partition-shape shapes the partition fault; add --nemesis partition, or leave --partition-shape out"),
        ("loss-probability", (_, o) => o.Faults.Contains(NemesisPackages.Loss) ? null
            : "--loss-probability is the loss fault's; add --nemesis loss, or leave --loss-probability out"),
        ("nemesis-interval", (_, o) => !o.Faults.IsDefaultOrEmpty ? null
            : "--nemesis-interval paces the faults, and there are none; add --nemesis, or leave --nemesis-interval out"),
        ("key-count", (_, o) => KeyedWorkloads.Contains(o.Workload) ? null
            : $"--key-count applies to the {string.Join(", ", KeyedWorkloads)} workloads, not to {o.Workload}; leave it out"),
        ("provisioner", (s, _) => s.Provisioner is null ? null
            : $"{s.Name} makes its own nodes in this process; leave --provisioner out"),
        ("leave-db-running", (s, _) => s.Provisioner is null ? null
            : $"{s.Name} runs in this process, so nothing can be left running after it; leave --leave-db-running out"),
    ];

    /// <summary>The options with the provisioner's own options normalised and their defaults filled in, then
    /// checked by the provisioner kind; throws <see cref="UserErrorException"/> for an option of another
    /// provisioner, a bad value or a refused combination.</summary>
    public static TestOptions Resolve(IProvisionerKind kind, TestOptions options)
    {
        foreach (var key in options.ProvisionerOptions.Keys)
            if (!kind.Options.Any(o => o.Name == key))
                throw new UserErrorException($"--{key} is not an option of --provisioner {kind.Name}; see 'harness list'");
        var normalized = options with { ProvisionerOptions = Normalize(kind.Options, options.ProvisionerOptions) };
        return kind.Resolve(kind.ImpliedNodeCount(normalized) is { } nodes ? normalized with { NodeCount = nodes } : normalized);
    }

    private static ImmutableSortedDictionary<string, string> Normalize(IEnumerable<SuiteOption> declared, ImmutableSortedDictionary<string, string> given)
    {
        var values = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var option in declared)
            values[option.Name] = option.Normalize(given.TryGetValue(option.Name, out var v) ? v : option.Default);
        return values.ToImmutable();
    }
}
