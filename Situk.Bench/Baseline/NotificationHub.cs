using Microsoft.AspNetCore.SignalR;

namespace Situk.Bench.Baseline;

/// <summary>The same notification shape a Situk device sees, minus nothing the broadcast needs.</summary>
public sealed record BaselineNotification(long Id, string Kind, string Title, string Body, DateTimeOffset CreatedAt, DateTimeOffset? SentAt);

/// <summary>
/// The publisher invokes <see cref="Publish"/>; every other connection gets it as <c>notification</c>
/// (serialised once per protocol by SignalR). Devices answer with <see cref="Ack"/>, as Situk devices ack.
/// </summary>
public sealed class NotificationHub : Hub
{
    private static long s_acks;

    public static long Acks => Interlocked.Read(ref s_acks);

    public Task Publish(BaselineNotification notification) =>
        Clients.Others.SendAsync("notification", notification with { SentAt = DateTimeOffset.UtcNow });

    public void Ack(long[] ids) => Interlocked.Add(ref s_acks, ids.Length);
}
