using System.Text.Json;
using Situk.Broker.Sessions;
using Situk.Broker.Sockets;
using Situk.Broker.Telemetry;
using Situk.Contracts;

namespace Situk.Broker.Fanout;

/// <summary>
/// Fan-out: offers the same serialised frame to every session the audience names. Never waits: a full
/// session queue sheds a normal-priority notification (the session's writer counts it), or closes that
/// session with 1013 and counts a drop when a high-priority one finds no room, and the loop goes on.
/// Every carrier ends here: the internal socket hands a notification to <see cref="Publish"/>, which
/// serialises it once (with one <c>sentAt</c> for the whole publish); NATS hands the bytes the API already
/// serialised to <see cref="Deliver"/>.
/// </summary>
internal sealed class Publisher(SessionRegistry registry, BrokerMetrics metrics, TimeProvider time)
{
    // Each broker process counts down from its own random point: in a cluster, ephemeral publishes from
    // different brokers reach the same devices, and a device keeps one notification per id. 2^20 starting
    // points 2^32 apart: two brokers share a range once in a million starts, and a range lasts 4 billion publishes.
    private long _lastEphemeralId = -((long)Random.Shared.Next(0, 1 << 20) << 32);

    /// <summary>Ids for the broker's own ephemeral publishes: negative and decreasing (PostgreSQL ids are positive).</summary>
    public long NextEphemeralId() => Interlocked.Decrement(ref _lastEphemeralId);

    /// <summary>Queues the notification to every matching session; returns how many sessions took it (sheds not counted).</summary>
    public int Publish(Audience to, PushNotification notification)
    {
        var frame = notification.ToFrame(time.GetUtcNow());
        var bytes = JsonSerializer.SerializeToUtf8Bytes<DeviceFrame>(frame, SitukJson.Default.DeviceFrame);
        return Deliver(registry.Resolve(to), bytes, notification.Id, notification.Priority);
    }

    /// <summary>
    /// Queues an already serialised notification to <paramref name="sessions"/>; returns how many took it. It is
    /// framed here once (<see cref="TextFrames"/>): every recipient is handed the same whole WebSocket frame.
    /// </summary>
    public int Deliver(IEnumerable<Session> sessions, ReadOnlyMemory<byte> payload, long notificationId, Priority priority)
    {
        var frame = TextFrames.Frame(payload.Span, notificationId, priority);
        var publishedAt = time.GetTimestamp();
        var queued = 0;
        foreach (var session in sessions)
        {
            switch (session.Deliver(frame, publishedAt))
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

    /// <summary>Tells a user's sessions, but the one that read them, that these notifications were read.</summary>
    public void SyncRead(string userId, long[] ids, string? exceptSessionId) =>
        SyncRead(userId, JsonSerializer.SerializeToUtf8Bytes<DeviceFrame>(new ReadFrame(ids), SitukJson.Default.DeviceFrame), exceptSessionId);

    /// <summary>Sends an already serialised <c>read</c> frame to the user's sessions but <paramref name="exceptSessionId"/>.</summary>
    public void SyncRead(string userId, ReadOnlyMemory<byte> readFrame, string? exceptSessionId)
    {
        OutboundFrame? framed = null;
        foreach (var session in registry.ForUser(userId))
        {
            if (!string.Equals(session.Id, exceptSessionId, StringComparison.Ordinal))
            {
                framed ??= TextFrames.Frame(readFrame.Span);
                session.Send(framed.Value);
            }
        }
    }
}
