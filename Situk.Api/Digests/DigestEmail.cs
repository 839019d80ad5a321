using Npgsql;
using Situk.Api.Notifications;
using Situk.Api.Texts;

namespace Situk.Api.Digests;

/// <summary>
/// A digest's email, laid out by the email relay when it sends it, like every notification's email
/// (<see cref="NotificationEmail"/>: greeting by name, the LSP's footer, text and HTML parts): its title, a line
/// saying each item is in the inbox too, the items it carried, each linked to its own inbox item, and a button to
/// the inbox. Written in <paramref name="reader"/>'s language and zone, those the digest was written in.
/// </summary>
internal sealed class DigestEmail(DigestComposer composer, NotificationEmail emails, TextCatalog texts)
{
    public async Task<ComposedEmail> ComposeAsync(
        NpgsqlTransaction tx, long digestId, Locale reader, string name, string title, UnsubscribeLine? unsubscribe, CancellationToken ct)
    {
        var items = await DigestStore.CarriedAsync(tx, digestId, ct);
        return emails.Compose(
            reader, name, title, [texts.Render(reader, "digest.email.intro")], DigestComposer.InboxLink, "digest.email.open",
            composer.EmailItems(reader, items), unsubscribe);
    }
}
