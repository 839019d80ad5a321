using System.Text.Json;

namespace Situk.Contracts;

/// <summary>
/// The notification envelope the API hands the broker: what a device will see, minus the broker's
/// own <c>sentAt</c>. <see cref="Id"/> is the notification's id in PostgreSQL (negative for the
/// broker's ephemeral admin publishes, which are never stored). <see cref="Pull"/> marks a
/// pull-after-push notice: the title and body are neutral and the device fetches the item over REST.
/// </summary>
public sealed record PushNotification(
    long Id,
    string Kind,
    string Title,
    string Body,
    string? Link,
    JsonElement? Data,
    DateTimeOffset CreatedAt,
    Priority Priority = Priority.Normal,
    bool Pull = false)
{
    public NotificationFrame ToFrame(DateTimeOffset sentAt) =>
        new(Id, Kind, Title, Body, Link, Data, CreatedAt, sentAt, Pull ? true : null);
}
