using Situk.Broker.Sockets;
using Situk.Broker.Telemetry;

namespace Situk.Broker.Sessions;

/// <summary>
/// When one notification was queued to a session (a <see cref="TimeProvider"/> timestamp) and, once it is, when it
/// was written to the socket. <see cref="AckedAt"/> is when the device received it (its ack time less the delay it
/// reported); kept in the table only for an ack that came before the writer reported the write.
/// </summary>
internal readonly record struct DeliveryTime(long QueuedAt, DateTimeOffset? WrittenAt, DateTimeOffset? AckedAt = null);

/// <summary>
/// Per session: when each notification was queued and written, kept until the device acks it, so the
/// ack can be timed and its receipt can say when the frame reached the socket. Bounded: past
/// <see cref="MaxTimedIds"/> unacked notifications, new ones are not timed (their receipts carry no
/// written time). Every write of a stored notification (positive id) is also reported to
/// <paramref name="onWritten"/>, timed or not, acked or not: the write itself is on record. It is also what the
/// session's writer reports to (<see cref="IWriterEvents"/>), counting frames and sheds in <paramref name="metrics"/>.
/// </summary>
internal sealed class DeliveryTimes(TimeProvider time, Action<long, DateTimeOffset>? onWritten = null, BrokerMetrics? metrics = null) : IWriterEvents
{
    public const int MaxTimedIds = 1024;

    // Guards the table, which is made for the first notification only: a session that never gets one holds none.
    private readonly Lock _gate = new();
    private Dictionary<long, DeliveryTime>? _byId;

    /// <summary>Times a notification queued now; false when it was not timed by this call (already timed here, or past the bound).</summary>
    public bool Queued(long notificationId, long queuedAt)
    {
        lock (_gate)
        {
            _byId ??= [];
            return _byId.Count < MaxTimedIds && _byId.TryAdd(notificationId, new DeliveryTime(queuedAt, null));
        }
    }

    /// <summary>
    /// Called by the socket's writer once the notification's frame is written. If the device's ack was read first
    /// (the writer's continuation ran late on a busy machine), the write is stamped no later than that ack.
    /// </summary>
    public void Written(long notificationId)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_byId is not null && _byId.TryGetValue(notificationId, out var entry))
            {
                if (entry.AckedAt is { } acked)
                {
                    now = now < acked ? now : acked;
                    _byId.Remove(notificationId);
                }
                else if (entry.WrittenAt is null)
                {
                    _byId[notificationId] = entry with { WrittenAt = now };
                }
            }
        }

        if (notificationId > 0)
        {
            onWritten?.Invoke(notificationId, now);
        }
    }

    /// <summary>Forgets a notification that will not be written here (shed, or refused by a closing socket).</summary>
    public void Forget(long notificationId)
    {
        lock (_gate)
        {
            _byId?.Remove(notificationId);
        }
    }

    /// <summary>
    /// The notification's times when it was timed here, for its first ack at <paramref name="at"/>; null otherwise. An ack
    /// proves the frame was written, so one that beats the writer's report takes the receipt time as the written time and
    /// stays until that report comes (<see cref="Written"/>), which then is stamped no later than it.
    /// <see cref="DeliveryTime.AckedAt"/> of the answer is when the device received the notification: <paramref name="at"/>
    /// less the <paramref name="delay"/> the device reported, but never before the frame was written (or, not yet
    /// reported written, queued) here — a device cannot receive what was not sent, whatever delay it claims.
    /// </summary>
    public DeliveryTime? Acked(long notificationId, DateTimeOffset at, TimeSpan delay = default)
    {
        lock (_gate)
        {
            if (_byId is null || !_byId.TryGetValue(notificationId, out var entry) || entry.AckedAt is not null)
            {
                return null;
            }

            var sentAt = entry.WrittenAt ?? at - time.GetElapsedTime(entry.QueuedAt);
            var receivedAt = delay <= TimeSpan.Zero ? at : Max(at - delay, Min(sentAt, at));
            if (entry.WrittenAt is not null)
            {
                _byId.Remove(notificationId);
                return entry with { AckedAt = receivedAt };
            }

            _byId[notificationId] = entry with { AckedAt = receivedAt };
            return entry with { WrittenAt = receivedAt, AckedAt = receivedAt };
        }
    }

    void IWriterEvents.Sent() => metrics?.FrameSent();

    void IWriterEvents.NotificationWritten(long notificationId) => Written(notificationId);

    void IWriterEvents.Shed() => metrics?.Shed();

    void IWriterEvents.NotificationShed(long notificationId) => Forget(notificationId);

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
