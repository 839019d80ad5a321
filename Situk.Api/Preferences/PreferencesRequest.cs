using System.Text.Json;
using Situk.Contracts;

namespace Situk.Api.Preferences;

/// <summary>
/// Reads the body of <c>PUT /me/preferences</c>, <c>{"groups":[{"group":"…","push":bool,"email":bool}]}</c>,
/// by hand: every fault names its field (<c>groups[2].push</c>), which a serializer's first error would not.
/// </summary>
public static class PreferencesRequest
{
    /// <summary>The choices, or the field at fault and why.</summary>
    public static (IReadOnlyList<GroupChoice>? Choices, string? Field, string? Error) Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return Fail("body", "The body must be a JSON object {\"groups\":[…]}.");
        }

        if (!body.TryGetProperty("groups", out var groups) || groups.ValueKind != JsonValueKind.Array)
        {
            return Fail("groups", "'groups' must be an array of {group, push, email}.");
        }

        if (groups.GetArrayLength() == 0 || groups.GetArrayLength() > NotificationGroups.All.Count)
        {
            return Fail("groups", $"'groups' must name 1 to {NotificationGroups.All.Count} groups.");
        }

        var choices = new List<GroupChoice>();
        var index = 0;
        foreach (var item in groups.EnumerateArray())
        {
            var at = $"groups[{index++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                return Fail(at, $"'{at}' must be an object {{group, push, email}}.");
            }

            if (!item.TryGetProperty("group", out var name) || name.ValueKind != JsonValueKind.String)
            {
                return Fail($"{at}.group", $"'{at}.group' must be the name of a group.");
            }

            if (!NotificationGroups.TryGet(name.GetString()!, out var group))
            {
                return Fail($"{at}.group", $"'{at}.group' is not a group; the groups are {string.Join(", ", NotificationGroups.All.Select(g => g.Name))}.");
            }

            if (choices.Any(c => c.Group == group.Name))
            {
                return Fail($"{at}.group", $"'{at}.group' names '{group.Name}' a second time.");
            }

            if (Bool(item, "push") is not { } push)
            {
                return Fail($"{at}.push", $"'{at}.push' must be true or false.");
            }

            if (Bool(item, "email") is not { } email)
            {
                return Fail($"{at}.email", $"'{at}.email' must be true or false.");
            }

            choices.Add(new GroupChoice(group.Name, push, email));
        }

        return (choices, null, null);
    }

    private static bool? Bool(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;

    private static (IReadOnlyList<GroupChoice>?, string?, string?) Fail(string field, string error) => (null, field, error);
}
