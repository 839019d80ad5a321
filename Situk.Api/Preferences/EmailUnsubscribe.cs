using Microsoft.Extensions.Options;
using Npgsql;
using Situk.Api.Notifications;
using Situk.Api.Relay;
using Situk.Api.Texts;
using Situk.Contracts;

namespace Situk.Api.Preferences;

/// <summary>
/// Gives the email of an optional kind its way out, when the relay composes it for sending: a fresh
/// single-use link (<see cref="UnsubscribeLinks"/>), carried by the RFC 8058 headers
/// (<see cref="SmtpSender"/> writes them from <see cref="EmailRow.UnsubscribeUrl"/>) and by a line that
/// <see cref="NotificationEmail"/> sets in the footer of the text and HTML parts. Done at send time, not when
/// the notification is written: escalation emails are written elsewhere, the mandatory list is that of the
/// moment the email leaves, and the token is minted in the transaction that marks the email sent. The line is
/// in the language the notification was written in, like the rest of the email.
/// Emails of a mandatory kind, and emails of no notification (sign-up, password reset), get no link.
/// </summary>
public sealed class EmailUnsubscribe(MandatoryEmail mandatory, PublicLinks links, IOptions<PreferenceOptions> options, TimeProvider time)
{
    /// <summary>The page a link opens, below <c>Situk:PublicWebUrl</c>.</summary>
    public const string Path = "/unsubscribe";

    /// <summary>Mints the email's link and writes its line for <paramref name="reader"/>; null for an email that has none.</summary>
    internal async Task<UnsubscribeLine?> IssueAsync(NpgsqlTransaction tx, EmailRow row, Locale reader, CancellationToken ct)
    {
        if (row.Kind is not { } kind || !NotificationKinds.IsKnown(kind) || mandatory.IsMandatory(kind))
        {
            return null;
        }

        var now = time.GetUtcNow();
        var token = await UnsubscribeLinks.IssueAsync(tx, row.Id, row.UserId, kind, now, now + options.Value.UnsubscribeLinkLifetime, ct);
        var catalog = TextCatalog.Embedded;
        var group = GroupLabel(catalog, reader, kind);
        return new UnsubscribeLine(
            catalog.Render(reader, "preferences.unsubscribe.lead", new Dictionary<string, object?> { ["group"] = group }),
            catalog.Render(reader, "preferences.unsubscribe.action"),
            links.Absolute($"{Path}?token={token}")!);
    }

    /// <summary>The reader's name for the group of <paramref name="kind"/>, e.g. "Persiapan asesmen".</summary>
    public static string GroupLabel(TextCatalog catalog, Locale reader, string kind) =>
        catalog.Render(reader, "preferences.group." + NotificationGroups.Of(kind));
}
