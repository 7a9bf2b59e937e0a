using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Cli.Commands;
using Json.Schema;

namespace Harness.Cli.Tests;

/// <summary>
/// The nightly workflow files: parsed as YAML (YamlDotNet), checked with JsonSchema.Net against the schemas in
/// Schemas/ (subsets of SchemaStore's, see ATTRIBUTION.md), and structurally: schedule, .NET, the matrix, JUnit,
/// artifacts.
/// </summary>
public sealed class WorkflowFilesTests
{
    private static string Repo([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", ".."));

    private static JsonNode Yaml(string relative) =>
        MatrixSpec.ParseYaml(File.ReadAllText(Path.Combine(Repo(), relative)), relative) ?? throw new InvalidOperationException(relative);

    private static IReadOnlyList<string> Errors(string schemaFile, JsonNode document)
    {
        var schema = JsonSchema.FromText(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Schemas", schemaFile)));
        var result = schema.Evaluate(JsonSerializer.SerializeToElement(document), new EvaluationOptions { OutputFormat = OutputFormat.List });
        return result.IsValid ? [] : [.. (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}"))];
    }

    [Fact]
    public void Should_Match_The_Workflow_Schema_When_The_GitHub_Workflow_Is_Parsed()
    {
        // Given / When
        var workflow = Yaml(".github/workflows/nightly.yml");

        // Then it satisfies the schema and does what docs/ci.md says
        Assert.Empty(Errors("github-workflow.schema.json", workflow));
        Assert.Matches(@"^\S+ \S+ \* \* \*$", (string)workflow["on"]!["schedule"]![0]!["cron"]!);
        var steps = workflow["jobs"]!["matrix"]!["steps"]!.AsArray();
        var uses = steps.Select(s => (string?)s!["uses"]).OfType<string>().ToList();
        Assert.Contains(uses, u => u.StartsWith("actions/setup-dotnet@", StringComparison.Ordinal));
        Assert.Equal("10.0.x", (string)steps.First(s => ((string?)s!["uses"])?.StartsWith("actions/setup-dotnet", StringComparison.Ordinal) == true)!["with"]!["dotnet-version"]!);
        var run = string.Join('\n', steps.Select(s => (string?)s!["run"]).OfType<string>());
        Assert.Contains("test-all", run, StringComparison.Ordinal);
        Assert.Contains("--junit results/junit.xml", run, StringComparison.Ordinal);
        Assert.Contains("sudo", run, StringComparison.Ordinal);
        Assert.Contains(steps, s => (string?)s!["with"]?["report_paths"] == "results/junit.xml");
        var uploads = string.Join('\n', steps.Where(s => ((string?)s!["uses"])?.StartsWith("actions/upload-artifact@", StringComparison.Ordinal) == true).Select(s => (string)s!["with"]!["path"]!));
        Assert.Contains("results/", uploads, StringComparison.Ordinal);
        Assert.Contains("report.html", uploads, StringComparison.Ordinal);
        Assert.All(steps.Where(s => s!["uses"] is not null && (string?)s["uses"] != "actions/checkout@v4" && ((string?)s["uses"])!.Contains("upload", StringComparison.Ordinal)), s => Assert.Equal("always()", (string?)s!["if"]));
    }

    [Fact]
    public void Should_Refuse_A_Broken_Workflow_When_Checked_Against_The_Schema()
    {
        // Given the workflow without runs-on, and with a misspelt step key
        var workflow = Yaml(".github/workflows/nightly.yml");
        var job = workflow["jobs"]!["matrix"]!.AsObject();
        job.Remove("runs-on");
        job["steps"]![0]!.AsObject()["with-typo"] = "x";

        // When / Then the schema catches both
        var errors = Errors("github-workflow.schema.json", workflow);
        Assert.NotEmpty(errors);
        Assert.Contains(errors, e => e.Contains("/jobs/matrix", StringComparison.Ordinal));
    }

    [Fact]
    public void Should_Match_The_GitLab_Schema_When_The_GitLab_File_Is_Parsed()
    {
        // Given / When
        var gitlab = Yaml(".gitlab-ci.yml");

        // Then
        Assert.Empty(Errors("gitlab-ci.schema.json", gitlab));
        var job = gitlab["harness-nightly"]!;
        Assert.Contains("test-all", string.Join('\n', job["script"]!.AsArray().Select(s => (string)s!)), StringComparison.Ordinal);
        Assert.Equal("results/junit.xml", (string)job["artifacts"]!["reports"]!["junit"]!);
        Assert.Equal("always", (string)job["artifacts"]!["when"]!);
        Assert.Contains("results/", job["artifacts"]!["paths"]!.AsArray().Select(p => (string)p!));
        Assert.Contains("schedule", (string)job["rules"]![0]!["if"]!, StringComparison.Ordinal);
        var broken = gitlab.DeepClone();
        broken["harness-nightly"]!.AsObject().Remove("script");
        Assert.NotEmpty(Errors("gitlab-ci.schema.json", broken));
    }

    [Fact]
    public void Should_Parse_Every_Test_Of_The_Nightly_Matrix()
    {
        // Given / When the matrix both workflows run is expanded and every test is checked as harness test checks it
        var cells = TestAllCommand.Cells(new TestAllCommand.Flags(Path.Combine(Repo(), "ci", "nightly.yml"), [], [], [], [], [], null, null, []));

        // Then it is the memory database with and without each bug and PostgreSQL under faults, each valid input
        Assert.True(cells.Count >= 10, $"{cells.Count} tests");
        Assert.All(cells, c => Assert.Equal(2, c.Repeat));
        Assert.Contains(cells, c => c.Args.Contains("lost-write") && c.Args.Contains("set"));
        Assert.Contains(cells, c => c.Args[0] == "postgres" && c.Args.Contains("partition"));
        foreach (var cell in cells) Assert.NotNull(TestCommand.Prepare(cell.Args));
    }
}
