using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using Xunit;

namespace Harness.Testing;

/// <summary>The JUnit XML check every test of --junit uses: the junit-10.xsd shape (Schemas/junit-10.xsd, embedded;
/// see Schemas/ATTRIBUTION.md), the JUnit XML Jenkins, GitLab and the GitHub reporters read.</summary>
public static class JUnitSchema
{
    /// <summary>Loads <paramref name="path"/>, fails the test with every schema error, and returns the document.</summary>
    public static XDocument Valid(string path)
    {
        var schemas = new XmlSchemaSet();
        using (var xsd = typeof(JUnitSchema).Assembly.GetManifestResourceStream("junit-10.xsd") ?? throw new InvalidOperationException("junit-10.xsd is not embedded"))
        using (var reader = XmlReader.Create(xsd))
            schemas.Add(null, reader);
        var errors = new List<string>();
        var doc = XDocument.Load(path);
        doc.Validate(schemas, (_, e) => errors.Add($"{e.Severity}: {e.Message}"));
        Assert.True(errors.Count == 0, string.Join('\n', errors));
        return doc;
    }
}
