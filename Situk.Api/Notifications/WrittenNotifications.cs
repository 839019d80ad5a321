using Situk.Api.Relay;

namespace Situk.Api.Notifications;

/// <summary>
/// What <see cref="NotificationWriter"/> stored: the notifications' ids in input order, and the pushes whose outbox
/// rows it held for the <see cref="PushHandOff"/> (none when the hand-off is off, or nothing was held).
/// </summary>
internal sealed record WrittenNotifications(IReadOnlyList<long> Ids, IReadOnlyList<NotificationRow> Pushes)
{
    public static readonly WrittenNotifications None = new([], []);
}
