using System.Text.Json.Nodes;

namespace Situk.Api.Notifications;

/// <summary>
/// A notification to store for one user. Its <paramref name="Words"/> are written in the user's language
/// and zone by <see cref="NotificationWriter"/>. <paramref name="Email"/> false withholds the email even
/// for a kind that has one (an admin's copy of <c>registration.submitted</c> is push only).
/// </summary>
public sealed record NewNotification(
    long UserId,
    string Kind,
    NotificationWords Words,
    string? Link = null,
    JsonObject? Data = null,
    bool Email = true)
{
    /// <summary>A notification whose title and body go as given (an admin's message, a digest's words).</summary>
    public NewNotification(long userId, string kind, string title, string body, string? link = null, JsonObject? data = null, bool email = true)
        : this(userId, kind, new NotificationWords.AsGiven(title, body), link, data, email)
    {
    }

    /// <summary>A notification written from the texts <c>{key}.title</c> and <c>{key}.body</c> with the kind's named values.</summary>
    public static NewNotification FromTexts(
        long userId, string kind, string key, IReadOnlyDictionary<string, object?> values, string? link = null, JsonObject? data = null) =>
        new(userId, kind, new NotificationWords.FromTexts(key + ".title", key + ".body", values), link, data);
}
