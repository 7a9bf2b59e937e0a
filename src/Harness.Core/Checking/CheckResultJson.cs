using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Harness.Core.Checking;

/// <summary>results.json: a <see cref="CheckResult"/> tree as JSON, and back.</summary>
public static class CheckResultJson
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static JsonObject ToJson(CheckResult r)
    {
        var o = new JsonObject
        {
            ["checker"] = r.Checker,
            ["valid"] = r.Validity switch { Validity.Valid => JsonValue.Create(true), Validity.Invalid => JsonValue.Create(false), _ => JsonValue.Create("unknown") },
            ["validity"] = r.Validity.Word(),
            ["summary"] = r.Summary,
        };
        if (r.Stats is not null) o["stats"] = r.Stats.DeepClone();
        if (!r.Anomalies.IsDefaultOrEmpty)
        {
            var anomalies = new JsonArray();
            foreach (var a in r.Anomalies)
            {
                var ops = new JsonArray();
                foreach (var i in a.Ops) ops.Add((JsonNode)i);
                var ao = new JsonObject { ["type"] = a.Type, ["explanation"] = a.Explanation, ["ops"] = ops };
                if (a.Data is not null) ao["data"] = a.Data.DeepClone();
                anomalies.Add((JsonNode)ao);
            }
            o["anomalies"] = anomalies;
        }
        if (!r.Children.IsDefaultOrEmpty)
        {
            var children = new JsonArray();
            foreach (var c in r.Children) children.Add((JsonNode)ToJson(c));
            o["children"] = children;
        }
        return o;
    }

    public static string Serialize(CheckResult r) => ToJson(r).ToJsonString(Indented);

    public static CheckResult FromJson(JsonObject o) => new()
    {
        Checker = (string?)o["checker"] ?? "",
        Validity = (string?)o["validity"] switch { "valid" => Validity.Valid, "invalid" => Validity.Invalid, _ => Validity.Unknown },
        Summary = (string?)o["summary"] ?? "",
        Stats = o["stats"]?.DeepClone() as JsonObject,
        Anomalies = o["anomalies"] is JsonArray a
            ? [.. a.OfType<JsonObject>().Select(x => new Anomaly
            {
                Type = (string?)x["type"] ?? "",
                Explanation = (string?)x["explanation"] ?? "",
                Ops = x["ops"] is JsonArray ops ? [.. ops.Select(n => (long)n!)] : ImmutableArray<long>.Empty,
                Data = x["data"]?.DeepClone() as JsonObject,
            })]
            : [],
        Children = o["children"] is JsonArray c ? [.. c.OfType<JsonObject>().Select(FromJson)] : [],
    };

    public static CheckResult Deserialize(string json) =>
        FromJson(JsonNode.Parse(json) as JsonObject ?? throw new JsonException("results.json must hold a JSON object"));
}
