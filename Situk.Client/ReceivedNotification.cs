using System.Text.Json;
using Situk.Contracts;

namespace Situk.Client;

/// <summary>
/// A notification handed to the application once per id, whether it came over the socket or from the
/// inbox sync after a reconnect (<see cref="Synced"/>).
/// </summary>
public sealed record ReceivedNotification(
    long Id,
    string Kind,
    string Title,
    string Body,
    string? Link,
    JsonElement? Data,
    DateTimeOffset CreatedAt,
    DateTimeOffset? SentAt,
    bool Synced)
{
    // A pull notice (its neutral words) is handed over only as a duplicate to re-ack, never as news.
    internal static ReceivedNotification From(NotificationFrame f) =>
        new(f.Id, f.Kind, f.Title, f.Body, f.Link, f.Data, f.CreatedAt, f.SentAt, Synced: false);

    internal static ReceivedNotification From(InboxItem i) =>
        new(i.Id, i.Kind, i.Title, i.Body, i.Link, i.Data, i.CreatedAt, SentAt: null, Synced: true);
}
