using System.Text.Json;

namespace Situk.Tests.Hostile;

/// <summary>Reads the OpenAPI document: which POST/PUT routes take a JSON body, and the path of every string in it.</summary>
internal static class RequestSchemas
{
    /// <summary>"METHOD /path" → JSON paths of every string property of its request body (arrays as <c>[0]</c>).</summary>
    public static Dictionary<string, List<string>> TextFields(JsonElement document)
    {
        var schemas = document.GetProperty("components").GetProperty("schemas");
        var result = new Dictionary<string, List<string>>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                if (operation.Value.TryGetProperty("requestBody", out var body)
                    && body.GetProperty("content").TryGetProperty("application/json", out var json))
                {
                    var fields = new List<string>();
                    Collect(schemas, json.GetProperty("schema"), "", fields, depth: 0);
                    result[$"{operation.Name.ToUpperInvariant()} {path.Name}"] = fields;
                }
            }
        }

        return result;
    }

    private static void Collect(JsonElement schemas, JsonElement schema, string prefix, List<string> fields, int depth)
    {
        if (depth > 40)
        {
            return;
        }

        if (schema.TryGetProperty("$ref", out var reference))
        {
            Collect(schemas, schemas.GetProperty(reference.GetString()!["#/components/schemas/".Length..]), prefix, fields, depth + 1);
            return;
        }

        var types = !schema.TryGetProperty("type", out var type) ? []
            : type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()).ToArray()
            : [type.GetString()];
        if (types.Contains("string") && !types.Contains("integer") && !types.Contains("number"))
        {
            fields.Add(prefix);
        }
        else if (types.Contains("array") && schema.TryGetProperty("items", out var items))
        {
            Collect(schemas, items, prefix + "[0]", fields, depth + 1);
        }
        else if (schema.TryGetProperty("properties", out var properties))
        {
            foreach (var property in properties.EnumerateObject())
            {
                Collect(schemas, property.Value, prefix.Length == 0 ? property.Name : $"{prefix}.{property.Name}", fields, depth + 1);
            }
        }
    }
}
