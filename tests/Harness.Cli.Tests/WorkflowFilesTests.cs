using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
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
        // every step after the matrix (JUnit published, both uploads) runs whatever the matrix's exit code
        var after = steps.SkipWhile(s => (string?)s!["id"] != "matrix").Skip(1).ToList();
        Assert.Contains(after, s => (string?)s!["uses"] is { } u && u.StartsWith("mikepenz/action-junit-report@", StringComparison.Ordinal));
        Assert.Equal(2, after.Count(s => (string?)s!["uses"] is { } u && u.StartsWith("actions/upload-artifact@", StringComparison.Ordinal)));
        Assert.All(after, s => Assert.Equal("always()", (string?)s!["if"]));
    }

    /// <summary>Runs <paramref name="script"/> as a CI server would (<paramref name="bashArgs"/>: GitHub's
    /// <c>shell: bash</c> is <c>bash --noprofile --norc -eo pipefail {0}</c>), in a fresh directory, with stubs of
    /// <c>sudo</c> and <c>dotnet</c> first on PATH: <c>dotnet ... test-all</c> exits 1 (a matrix with an invalid test),
    /// everything else 0. Every stub call is logged. Returns the exit code, the log and $GITHUB_OUTPUT.</summary>
    private static (int Exit, string Calls, string Output) RunStubbed(string script, params string[] bashArgs)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("the CI scripts run in bash on Linux runners");
        var dir = Directory.CreateTempSubdirectory("harness-ci-").FullName;
        try
        {
            var bin = Directory.CreateDirectory(Path.Combine(dir, "bin")).FullName;
            var log = Path.Combine(dir, "calls.log");
            // sudo runs its command (env, dotnet, chown...) as the stubbed dotnet would be run; chown is only logged
            File.WriteAllText(Path.Combine(bin, "sudo"), $"#!/bin/sh\necho \"sudo $*\" >> '{log}'\ncase \"$1\" in chown) exit 0;; -E) shift; esac\nexec \"$@\"\n");
            File.WriteAllText(Path.Combine(bin, "dotnet"), $"#!/bin/sh\necho \"dotnet $*\" >> '{log}'\ncase \"$*\" in *test-all*) echo '{{\"verdict\":\"invalid\"}}'; exit 1;; esac\nexit 0\n");
            foreach (var f in Directory.GetFiles(bin)) File.SetUnixFileMode(f, (UnixFileMode)0b111_101_101);
            var file = Path.Combine(dir, "step.sh");
            File.WriteAllText(file, script);
            var output = Path.Combine(dir, "github-output");
            File.WriteAllText(output, "");
            var psi = new ProcessStartInfo("bash") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in bashArgs) psi.ArgumentList.Add(a);
            psi.ArgumentList.Add(file);
            psi.Environment["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}";
            psi.Environment["GITHUB_OUTPUT"] = output;
            psi.Environment["HARNESS_MATRIX"] = "ci/nightly.yml";
            using var p = Process.Start(psi)!; // not shell-executed, so never null
            var stderr = p.StandardError.ReadToEndAsync();
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, (File.Exists(log) ? File.ReadAllText(log) : "") + stderr.Result, File.ReadAllText(output));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Should_RecordTheExitCodeAndHandBackResults_When_TheMatrixFailsUnderGitHubsBash()
    {
        // Given the "Run the matrix" step's script, its ${{ }} expressions evaluated to their defaults
        var step = Yaml(".github/workflows/nightly.yml")["jobs"]!["matrix"]!["steps"]!.AsArray().Single(s => (string?)s!["id"] == "matrix")!;
        Assert.Equal("bash", (string?)step["shell"]);
        var script = Regex.Replace((string)step["run"]!, @"\$\{\{[^}]*\|\|\s*'([^']*)'\s*\}\}", "$1");
        Assert.DoesNotContain("${{", script, StringComparison.Ordinal);

        // When it runs as GitHub runs shell: bash, and the matrix exits 1
        var (exit, calls, output) = RunStubbed(script, "--noprofile", "--norc", "-eo", "pipefail");

        // Then the lines after the matrix ran (its exit code recorded, results/ chowned) and the step fails with 1
        Assert.Contains("test-all --file ci/nightly.yml", calls, StringComparison.Ordinal);
        Assert.Contains("exit=1", output, StringComparison.Ordinal);
        Assert.Contains("sudo chown -R", calls, StringComparison.Ordinal);
        Assert.Equal(1, exit);
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
        // GitLab runs the script lines with errexit: the matrix is the last line, so its failure fails the job
        // (nothing after it is skipped) and the artifacts are kept anyway (when: always)
        var lines = job["script"]!.AsArray().Select(s => (string)s!).ToList();
        Assert.Contains("test-all", lines[^1], StringComparison.Ordinal);
        var (exit, calls, _) = RunStubbed(string.Join('\n', lines) + "\n", "-e");
        Assert.Contains("test-all --file ci/nightly.yml", calls, StringComparison.Ordinal);
        Assert.Equal(1, exit);
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
