using System.Text.Json;
using Situk.Broker.Sessions;
using Situk.Broker.Telemetry;
using Situk.Contracts;

namespace Situk.Broker.Fanout;

/// <summary>
/// Fan-out: serialises a notification once (with one <c>sentAt</c> for the whole publish) and offers the
/// same bytes to every session the audience names. Never waits: a full session queue sheds a normal-priority
/// notification (the session's writer counts it), or closes that session with 1013 and counts a drop
/// when a high-priority one finds no room, and the loop goes on.
/// </summary>
internal sealed class Publisher(SessionRegistry registry, BrokerMetrics metrics, TimeProvider time)
{
    private long _lastEphemeralId;

    /// <summary>Ids for the broker's own ephemeral publishes: −1, −2, … (PostgreSQL ids are positive).</summary>
    public long NextEphemeralId() => Interlocked.Decrement(ref _lastEphemeralId);

    /// <summary>Queues the notification to every matching session; returns how many sessions took it (sheds not counted).</summary>
    public int Publish(Audience to, PushNotification notification)
    {
        var frame = notification.ToFrame(time.GetUtcNow());
        var bytes = JsonSerializer.SerializeToUtf8Bytes<DeviceFrame>(frame, SitukJson.Default.DeviceFrame);
        var publishedAt = time.GetTimestamp();
        var queued = 0;
        foreach (var session in registry.Resolve(to))
        {
            switch (session.Deliver(bytes, notification.Id, publishedAt, notification.Priority))
            {
                case Delivery.Queued:
                    queued++;
                    break;
                case Delivery.Dropped:
                    metrics.Dropped();
                    break;
            }
        }

        return queued;
    }
}
