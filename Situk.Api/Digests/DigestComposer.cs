using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Situk.Api.Notifications;
using Situk.Api.Texts;
using Situk.Contracts;

namespace Situk.Api.Digests;

/// <summary>A digest as written: its notification (push words, data, link) and its email in plain text and HTML.</summary>
internal sealed record ComposedDigest(NewNotification Notification, string EmailText, string EmailHtml);

/// <summary>
/// Writes a digest in its reader's language, each item's time in the reader's zone (<c>Texts/digest.*.json</c>).
/// The push carries a count title and one line per item; the email lists the same lines and links to the inbox.
/// </summary>
internal sealed class DigestComposer(TextCatalog texts, PullPolicy pull, PublicLinks links)
{
    /// <summary>Where a digest's link leads: the inbox, where each item waits on its own.</summary>
    public const string InboxLink = "/notifications";

    // An item's line in the list, at most this long: the item itself, whole, is in the inbox.
    private const int MaxLineLength = 300;

    // notifications.body holds at most 4000 characters.
    private const int MaxBodyLength = 4000;

    public ComposedDigest Compose(long userId, Locale reader, IReadOnlyList<WaitingItem> items)
    {
        var title = Title(reader, items);
        var lines = items.Select(i => Line(reader, i)).ToList();
        var body = Cut(string.Join('\n', lines), MaxBodyLength);
        var data = new JsonObject
        {
            ["count"] = items.Count,
            ["items"] = new JsonArray([.. items.Select(i => JsonValue.Create(i.Id))]),
        };
        var notification = new NewNotification(userId, NotificationKinds.Digest, title, body, InboxLink, data);
        var inbox = links.Absolute(InboxLink)!;
        return new ComposedDigest(notification, Text(reader, lines, inbox), Html(reader, title, lines, inbox));
    }

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

    private string Text(Locale reader, IReadOnlyList<string> lines, string inbox)
    {
        var text = new StringBuilder();
        text.Append(texts.Render(reader, "digest.email.intro")).Append("\n\n");
        foreach (var line in lines)
        {
            text.Append("- ").Append(line).Append('\n');
        }

        text.Append('\n').Append(texts.Render(reader, "digest.email.open")).Append(": ").Append(inbox).Append("\n\n");
        return text.Append(texts.Render(reader, "digest.email.signature")).ToString();
    }

    private string Html(Locale reader, string title, IReadOnlyList<string> lines, string inbox)
    {
        var items = string.Concat(lines.Select(l => $"<li>{WebUtility.HtmlEncode(l)}</li>"));
        return $"""
            <!DOCTYPE html>
            <html lang="{reader.Language}"><body style="font-family:sans-serif">
            <h2>{WebUtility.HtmlEncode(title)}</h2>
            <p>{WebUtility.HtmlEncode(texts.Render(reader, "digest.email.intro"))}</p>
            <ul>{items}</ul>
            <p><a href="{WebUtility.HtmlEncode(inbox)}">{WebUtility.HtmlEncode(texts.Render(reader, "digest.email.open"))}</a></p>
            <p style="color:#666">{WebUtility.HtmlEncode(texts.Render(reader, "digest.email.signature"))}</p>
            </body></html>
            """;
    }

    private static string Cut(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";
}
