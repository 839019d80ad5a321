using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Situk.Api.Errors;

/// <summary>
/// Refuses U+0000 in every string property of a request body. PostgreSQL <c>text</c> cannot hold a NUL
/// character, so without this a NUL in any field reached the database and came back as a 500. Refused
/// here, it is a 400 naming the field (<see cref="BadRequestExceptionHandler"/> reads the field from the
/// exception) and nothing is stored. Every other character, emoji and bidi controls included, passes through.
/// </summary>
/// <remarks>
/// A check after each object is read (<see cref="JsonTypeInfo.OnDeserialized"/>) rather than a string
/// converter: a custom converter would turn every string in the OpenAPI document into an untyped schema.
/// </remarks>
public static class NulFreeStrings
{
    /// <summary>Key in <see cref="Exception.Data"/> of the JSON name of the property that held a NUL.</summary>
    public const string PropertyKey = "situk.nul-property";

    /// <summary>A <see cref="IJsonTypeInfoResolver"/> modifier: objects with string properties check them once read.</summary>
    public static void Refuse(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        var strings = info.Properties.Where(p => p.PropertyType == typeof(string) && p.Get is not null).ToArray();
        if (strings.Length == 0)
        {
            return;
        }

        var previous = info.OnDeserialized;
        info.OnDeserialized = value =>
        {
            foreach (var property in strings)
            {
                if (property.Get!(value) is string text && text.Contains('\0', StringComparison.Ordinal))
                {
                    var refused = new JsonException($"'{property.Name}' must not contain the NUL character (U+0000).");
                    refused.Data[PropertyKey] = property.Name;
                    throw refused;
                }
            }

            previous?.Invoke(value);
        };
    }
}
