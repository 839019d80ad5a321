using System.Text.Json.Nodes;
using Situk.Api.Notifications;
using Situk.Api.Texts;
using Situk.Contracts;

namespace Situk.Api.Digests;

/// <summary>
/// Writes a digest in its reader's language, each item's time in the reader's zone (<c>Texts/digest.*.json</c>).
/// The push carries a count title and one line per item. The email (<see cref="DigestEmail"/>, at send time)
/// lists the same lines, each linked to its item in the inbox, in the layout of every other email.
/// </summary>
internal sealed class DigestComposer(TextCatalog texts, PullPolicy pull)
{
    /// <summary>Where a digest's link leads: the inbox, where each item waits on its own.</summary>
    public const string InboxLink = "/notifications";

    // An item's line in the list, at most this long: the item itself, whole, is in the inbox.
    private const int MaxLineLength = 300;

    // notifications.body holds at most 4000 characters.
    private const int MaxBodyLength = 4000;

    /// <summary>Where one item waits in the inbox: <c>/notifications/{id}</c>.</summary>
    public static string ItemLink(long id) => $"{InboxLink}/{id.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>The digest's notification: a count title, one line per item, the items' ids in its data.</summary>
    public NewNotification Compose(long userId, Locale reader, IReadOnlyList<WaitingItem> items)
    {
        var body = Cut(string.Join('\n', items.Select(i => Line(reader, i))), MaxBodyLength);
        var data = new JsonObject
        {
            ["count"] = items.Count,
            ["items"] = new JsonArray([.. items.Select(i => JsonValue.Create(i.Id))]),
        };
        return new NewNotification(userId, NotificationKinds.Digest, Title(reader, items), body, InboxLink, data);
    }

    /// <summary>The email's list: the push's lines, whole (the push body is cut at 4000 characters), each linked to its item.</summary>
    public IReadOnlyList<EmailListItem> EmailItems(Locale reader, IReadOnlyList<WaitingItem> items) =>
        [.. items.Select(i => new EmailListItem(Line(reader, i), ItemLink(i.Id)))];

    private string Title(Locale reader, IReadOnlyList<WaitingItem> items)
    {
        var number = items.Count == 1 ? "one" : "many";
        var kinds = items.Select(i => i.Kind).Distinct(StringComparer.Ordinal).ToList();
        var key = kinds.Count == 1 && texts.Has(reader.Language, $"digest.title.{kinds[0]}.{number}")
            ? $"digest.title.{kinds[0]}.{number}"
            : $"digest.title.{number}";
        return texts.Render(reader, key, new Dictionary<string, object?> { ["count"] = items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }

    // A pulled kind's words stay in the inbox (docs/pull-after-push.md): its line says only that something waits.
    private string Line(Locale reader, WaitingItem item)
    {
        var text = pull.IsPull(item.Kind) ? PullPolicy.NeutralTitle(texts, reader.Language, item.Kind) : item.Body.ReplaceLineEndings(" ");
        return Cut(texts.Render(reader, "digest.item", new Dictionary<string, object?> { ["time"] = item.CreatedAt, ["text"] = text }), MaxLineLength);
    }

    private static string Cut(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";
}
