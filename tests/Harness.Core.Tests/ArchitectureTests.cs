using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Harness.Core.Tests;

/// <summary>
/// The dependency rule of docs/architecture.md, read from the sources: Core references no other harness project
/// and its namespaces form no cycle; checkers reference no driver; adapters reference neither each other nor a
/// provisioner; provisioners reference no adapter.
/// </summary>
public sealed partial class ArchitectureTests
{
    /// <summary>Packages that talk to a database or a node; only adapters and provisioners may use them.</summary>
    private static readonly string[] Drivers =
        ["Npgsql", "MySqlConnector", "MySql.Data", "StackExchange.Redis", "dotnet-etcd", "Grpc.Net.Client", "Docker.DotNet", "Docker.DotNet.Enhanced", "SSH.NET"];

    private static readonly string Root = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Harness.sln"))) return dir.FullName;
        throw new InvalidOperationException("Harness.sln not found above " + AppContext.BaseDirectory);
    }

    private static IEnumerable<string> Projects(string folder) =>
        Directory.EnumerateFiles(Path.Combine(Root, folder), "*.csproj", SearchOption.AllDirectories).Where(p => !p.Contains("/obj/", StringComparison.Ordinal));

    private static List<string> ProjectReferences(string csproj) =>
        [.. XDocument.Load(csproj).Descendants("ProjectReference").Select(e => Path.GetFileNameWithoutExtension(e.Attribute("Include")!.Value))];

    private static List<string> PackageReferences(string csproj) =>
        [.. XDocument.Load(csproj).Descendants("PackageReference").Select(e => e.Attribute("Include")!.Value)];

    /// <summary>Every harness project reachable from <paramref name="csproj"/> through project references.</summary>
    private static HashSet<string> Closure(string csproj)
    {
        var all = Directory.EnumerateFiles(Root, "*.csproj", SearchOption.AllDirectories)
            .Where(p => !p.Contains("/obj/", StringComparison.Ordinal))
            .ToDictionary(p => Path.GetFileNameWithoutExtension(p), p => p);
        var seen = new HashSet<string>();
        var stack = new Stack<string>(ProjectReferences(csproj));
        while (stack.TryPop(out var name))
            if (seen.Add(name) && all.TryGetValue(name, out var path))
                foreach (var next in ProjectReferences(path)) stack.Push(next);
        return seen;
    }

    [Fact]
    public void Core_References_No_Other_Harness_Project()
    {
        var core = Path.Combine(Root, "src/Harness.Core/Harness.Core.csproj");
        Assert.Empty(ProjectReferences(core));
        Assert.DoesNotContain(PackageReferences(core), Drivers.Contains);
    }

    [Fact]
    public void Checkers_And_Workloads_Reference_No_Driver_Adapter_Or_Provisioner()
    {
        foreach (var csproj in Projects("checkers").Concat(Projects("workloads")))
        {
            var reached = Closure(csproj);
            Assert.DoesNotContain(reached, p => p.StartsWith("Harness.Databases.", StringComparison.Ordinal) || p.StartsWith("Harness.Provisioning", StringComparison.Ordinal));
            foreach (var project in reached.Append(Path.GetFileNameWithoutExtension(csproj)))
            {
                var path = Directory.EnumerateFiles(Root, project + ".csproj", SearchOption.AllDirectories).First();
                Assert.DoesNotContain(PackageReferences(path), Drivers.Contains);
            }
        }
    }

    [Fact]
    public void Adapters_Reference_Neither_Each_Other_Nor_A_Provisioner()
    {
        var adapters = Directory.EnumerateDirectories(Path.Combine(Root, "src"), "Harness.Databases.*").ToList();
        Assert.NotEmpty(adapters);
        foreach (var dir in adapters)
        {
            var csproj = Path.Combine(dir, Path.GetFileName(dir) + ".csproj");
            var reached = Closure(csproj);
            Assert.DoesNotContain(reached, p => p.StartsWith("Harness.Databases.", StringComparison.Ordinal));
            Assert.DoesNotContain(reached, p => p.StartsWith("Harness.Provisioning", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Provisioners_Reference_No_Adapter()
    {
        foreach (var dir in Directory.EnumerateDirectories(Path.Combine(Root, "src"), "Harness.Provisioning*"))
        {
            var csproj = Path.Combine(dir, Path.GetFileName(dir) + ".csproj");
            Assert.DoesNotContain(Closure(csproj), p => p.StartsWith("Harness.Databases.", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Core_Namespaces_Form_No_Cycle()
    {
        var graph = CoreNamespaceGraph();
        Assert.Contains("Harness.Core.Running", graph.Keys);
        Assert.Contains("Harness.Core.Runs", graph["Harness.Core.Databases"]);
        var cycle = FindCycle(graph);
        Assert.True(cycle is null, $"namespace cycle in Harness.Core: {string.Join(" -> ", cycle ?? [])}");
    }

    /// <summary>Namespace -> the Harness.Core namespaces its files use (by using directive or qualified name).</summary>
    private static Dictionary<string, HashSet<string>> CoreNamespaceGraph()
    {
        var core = Path.Combine(Root, "src/Harness.Core");
        var files = Directory.EnumerateFiles(core, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .Select(f => (Text: File.ReadAllText(f), Namespace: NamespaceLine().Match(File.ReadAllText(f)).Groups[1].Value))
            .Where(f => f.Namespace.Length > 0)
            .ToList();
        var names = files.Select(f => f.Namespace).ToHashSet();
        var graph = names.ToDictionary(n => n, _ => new HashSet<string>());
        foreach (var (text, ns) in files)
        {
            var code = Comments().Replace(text, "");
            foreach (Match m in QualifiedName().Matches(code))
            {
                // the longest known namespace the reference starts with: Harness.Core.X.Y or, inside Harness.Core, X.Y
                var reference = m.Value.StartsWith("Harness.Core.", StringComparison.Ordinal) ? m.Value : "Harness.Core." + m.Value;
                var target = names.Where(n => reference == n || reference.StartsWith(n + ".", StringComparison.Ordinal)).MaxBy(n => n.Length);
                if (target is not null && target != ns) graph[ns].Add(target);
            }
        }
        return graph;
    }

    private static List<string>? FindCycle(Dictionary<string, HashSet<string>> graph)
    {
        var state = new Dictionary<string, int>();
        var path = new List<string>();
        List<string>? Visit(string n)
        {
            state[n] = 1;
            path.Add(n);
            foreach (var next in graph[n])
            {
                if (state.GetValueOrDefault(next) == 1) return [.. path.SkipWhile(p => p != next), next];
                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } found) return found;
            }
            path.RemoveAt(path.Count - 1);
            state[n] = 2;
            return null;
        }
        foreach (var n in graph.Keys.Order(StringComparer.Ordinal))
            if (state.GetValueOrDefault(n) == 0 && Visit(n) is { } cycle) return cycle;
        return null;
    }

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex Comments();

    [GeneratedRegex(@"(?<![\w.])(?:Harness\.Core\.(?:Checking|Clients|Control|Databases|Edn|Generators|Histories|Nemeses|Running|Runs)(?:\.[A-Z]\w*)*|(?:Checking|Clients|Control|Databases|Edn|Generators|Histories|Nemeses|Running|Runs)(?:\.[A-Z]\w*)+)")]
    private static partial Regex QualifiedName();
}
