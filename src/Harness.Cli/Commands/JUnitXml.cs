using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Harness.Core;
using Harness.Core.Checking;

namespace Harness.Cli.Commands;

/// <summary>
/// JUnit XML for CI (Jenkins, GitLab, GitHub test reporters), in the shape of Apache Ant's XML formatter
/// (the junit-10.xsd shape): one testsuite, one testcase per test (classname the database, name the test),
/// a failure with the verdict summary for invalid, an error with the reason for unknown, and the run directory in
/// system-out.
/// </summary>
internal static class JUnitXml
{
    /// <summary>Refuses, before anything runs, a path that cannot be written (a directory, an unwritable place).</summary>
    public static void CheckWritable(string path)
    {
        var full = Path.GetFullPath(path);
        if (System.IO.Directory.Exists(full)) throw new UserErrorException($"--junit {path} is a directory; pass a file name, e.g. {Path.Combine(path, "junit.xml")}");
        var probe = full + $".{Environment.ProcessId}.probe";
        try
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserErrorException($"cannot write --junit {path}: {e.Message.TrimEnd('.')}; pass a file you can write");
        }
    }

    /// <summary>Text without the characters XML 1.0 cannot hold (control characters in a summary or an error).</summary>
    private static string Clean(string s) =>
        s.All(c => XmlConvert.IsXmlChar(c) || char.IsSurrogate(c)) ? s : string.Concat(s.Where(c => XmlConvert.IsXmlChar(c) || char.IsSurrogate(c)));

    public static XDocument Build(string suiteName, IReadOnlyList<TestOutcome> outcomes, DateTimeOffset started)
    {
        static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        var many = outcomes.GroupBy(o => (o.Test, o.CommandLine)).Any(g => g.Count() > 1);
        var cases = outcomes.Select(o =>
        {
            var name = $"{o.Test} ({o.CommandLine})" + (many ? $" #{o.Repetition}" : "");
            var testcase = new XElement("testcase", new XAttribute("classname", o.Database), new XAttribute("name", Clean(name)), new XAttribute("time", Seconds(o.Duration)));
            if (o.Verdict == Validity.Invalid)
                testcase.Add(new XElement("failure", new XAttribute("message", Clean($"invalid: {o.Summary}")), new XAttribute("type", "invalid"),
                    Clean(string.Join('\n', [$"{o.Anomalies} anomalies", .. o.AnomalyLines]))));
            else if (o.Verdict == Validity.Unknown)
                testcase.Add(new XElement("error", new XAttribute("message", Clean($"unknown: {o.Reason ?? o.Summary}")), new XAttribute("type", "unknown"), Clean(o.Reason ?? o.Summary)));
            var output = o.Directory is null ? $"no run directory: {o.Reason}" : $"run directory: {o.Directory}\nreport: {o.Report}";
            testcase.Add(new XElement("system-out", Clean($"harness test {o.CommandLine} (seed {o.Seed})\n{output}")));
            return testcase;
        }).ToList();
        var (failures, errors) = (outcomes.Count(o => o.Verdict == Validity.Invalid), outcomes.Count(o => o.Verdict == Validity.Unknown));
        var time = Seconds(TimeSpan.FromTicks(outcomes.Sum(o => o.Duration.Ticks)));
        var suite = new XElement("testsuite",
            new XAttribute("name", suiteName), new XAttribute("tests", outcomes.Count), new XAttribute("failures", failures),
            new XAttribute("errors", errors), new XAttribute("skipped", 0), new XAttribute("time", time),
            new XAttribute("timestamp", started.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)),
            new XAttribute("hostname", Environment.MachineName), cases);
        return new XDocument(new XDeclaration("1.0", "utf-8", null),
            new XElement("testsuites", new XAttribute("name", "harness"), new XAttribute("tests", outcomes.Count),
                new XAttribute("failures", failures), new XAttribute("errors", errors), new XAttribute("time", time), suite));
    }

    /// <summary>Writes the file (a temporary file, then a rename); an I/O failure is a one-line user error.</summary>
    public static void Write(string path, string suiteName, IReadOnlyList<TestOutcome> outcomes, DateTimeOffset started)
    {
        var full = Path.GetFullPath(path);
        var temp = full + $".{Environment.ProcessId}.tmp";
        try
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            using (var writer = XmlWriter.Create(temp, new XmlWriterSettings { Indent = true, Encoding = new System.Text.UTF8Encoding(false) }))
                Build(suiteName, outcomes, started).Save(writer);
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserErrorException($"cannot write --junit {path}: {e.Message.TrimEnd('.')}");
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
