using System.Net;
using Microsoft.Extensions.Options;
using Npgsql;
using Situk.Api.Notifications;
using Situk.Api.Relay;
using Situk.Api.Texts;
using Situk.Contracts;

namespace Situk.Api.Preferences;

/// <summary>
/// Gives the email of an optional kind its way out, when the relay composes it for sending: a fresh
/// single-use link (<see cref="UnsubscribeLinks"/>), the RFC 8058 headers that carry it
/// (<see cref="SmtpSender"/> writes them from <see cref="EmailRow.UnsubscribeUrl"/>) and a line in the text
/// and HTML parts in the recipient's language. Done at send time, not when the notification is written:
/// escalation emails are written elsewhere, the mandatory list and the person's language are those of the
/// moment the email leaves, and the token is minted in the transaction that marks the email sent.
/// Emails of a mandatory kind, and emails of no notification (sign-up, password reset), get no link.
/// </summary>
public sealed class EmailUnsubscribe(MandatoryEmail mandatory, PublicLinks links, IOptions<PreferenceOptions> options, TimeProvider time)
{
    /// <summary>The page a link opens, below <c>Situk:PublicWebUrl</c>.</summary>
    public const string Path = "/unsubscribe";

    internal async Task<EmailRow> AddAsync(NpgsqlTransaction tx, EmailRow row, CancellationToken ct)
    {
        if (row.Kind is not { } kind || !NotificationKinds.IsKnown(kind) || mandatory.IsMandatory(kind))
        {
            return row;
        }

        var now = time.GetUtcNow();
        var token = await UnsubscribeLinks.IssueAsync(tx, row.Id, row.UserId, kind, now, now + options.Value.UnsubscribeLinkLifetime, ct);
        var url = links.Absolute($"{Path}?token={token}")!;
        // The claim already read the recipient's language and zone with the row.
        var reader = UserLocales.From(row.Language, row.TimeZone);
        var catalog = TextCatalog.Embedded;
        var group = GroupLabel(catalog, reader, kind);
        var lead = catalog.Render(reader, "preferences.unsubscribe.lead", new Dictionary<string, object?> { ["group"] = group });
        var action = catalog.Render(reader, "preferences.unsubscribe.action");
        var html = $"<p style=\"color:#666;font-size:small\">{WebUtility.HtmlEncode(lead)} <a href=\"{WebUtility.HtmlEncode(url)}\">{WebUtility.HtmlEncode(action)}</a></p>";
        var end = row.HtmlBody.LastIndexOf("</body>", StringComparison.OrdinalIgnoreCase);
        return row.WithUnsubscribe(
            url,
            $"{row.TextBody}\n\n{lead} {action}: {url}",
            end < 0 ? row.HtmlBody + html : row.HtmlBody.Insert(end, html + "\n"));
    }

    /// <summary>The reader's name for the group of <paramref name="kind"/>, e.g. "Persiapan asesmen".</summary>
    public static string GroupLabel(TextCatalog catalog, Locale reader, string kind) =>
        catalog.Render(reader, "preferences.group." + NotificationGroups.Of(kind));
}
