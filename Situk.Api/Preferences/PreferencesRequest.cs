using System.Text.Json;
using Situk.Api.Errors;
using Situk.Contracts;

namespace Situk.Api.Preferences;

/// <summary>
/// Reads the body of <c>PUT /me/preferences</c>, <c>{"groups":[{"group":"…","push":bool,"email":bool}]}</c>,
/// by hand: every fault names its field (<c>groups[2].push</c>), which a serializer's first error would not.
/// </summary>
public static class PreferencesRequest
{
    /// <summary>The choices, or the field at fault and why.</summary>
    public static (IReadOnlyList<GroupChoice>? Choices, string? Field, FieldText? Error) Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return Fail("body", "preferences.body");
        }

        if (!body.TryGetProperty("groups", out var groups) || groups.ValueKind != JsonValueKind.Array)
        {
            return Fail("groups", "preferences.groups");
        }

        if (groups.GetArrayLength() == 0 || groups.GetArrayLength() > NotificationGroups.All.Count)
        {
            return Fail("groups", "preferences.groups_count", ("max", NotificationGroups.All.Count));
        }

        var choices = new List<GroupChoice>();
        var index = 0;
        foreach (var item in groups.EnumerateArray())
        {
            var at = $"groups[{index++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                return Fail(at, "preferences.item", ("field", at));
            }

            if (!item.TryGetProperty("group", out var name) || name.ValueKind != JsonValueKind.String)
            {
                return Fail($"{at}.group", "preferences.group_name", ("field", $"{at}.group"));
            }

            if (!NotificationGroups.TryGet(name.GetString()!, out var group))
            {
                return Fail($"{at}.group", "preferences.group_unknown", ("field", $"{at}.group"), ("groups", string.Join(", ", NotificationGroups.All.Select(g => g.Name))));
            }

            if (choices.Any(c => c.Group == group.Name))
            {
                return Fail($"{at}.group", "preferences.group_twice", ("field", $"{at}.group"), ("group", group.Name));
            }

            if (Bool(item, "push") is not { } push)
            {
                return Fail($"{at}.push", "preferences.boolean", ("field", $"{at}.push"));
            }

            if (Bool(item, "email") is not { } email)
            {
                return Fail($"{at}.email", "preferences.boolean", ("field", $"{at}.email"));
            }

            choices.Add(new GroupChoice(group.Name, push, email));
        }

        return (choices, null, null);
    }

    private static bool? Bool(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;

    private static (IReadOnlyList<GroupChoice>?, string?, FieldText?) Fail(string field, string code, params (string Name, object? Value)[] values) =>
        (null, field, FieldText.Of(code, values));
}
