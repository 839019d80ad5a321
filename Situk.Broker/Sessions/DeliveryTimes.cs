namespace Situk.Broker.Sessions;

/// <summary>When one notification was queued to a session (a <see cref="TimeProvider"/> timestamp) and, once it is, when it was written to the socket.</summary>
internal readonly record struct DeliveryTime(long QueuedAt, DateTimeOffset? WrittenAt);

/// <summary>
/// Per session: when each notification was queued and written, kept until the device acks it, so the
/// ack can be timed and its receipt can say when the frame reached the socket. Bounded: past
/// <see cref="MaxTimedIds"/> unacked notifications, new ones are not timed (their receipts carry no
/// written time). Every write of a stored notification (positive id) is also reported to
/// <paramref name="onWritten"/>, timed or not, acked or not: the write itself is on record.
/// </summary>
internal sealed class DeliveryTimes(TimeProvider time, Action<long, DateTimeOffset>? onWritten = null)
{
    public const int MaxTimedIds = 1024;

    private readonly Dictionary<long, DeliveryTime> _byId = [];

    /// <summary>Times a notification queued now; false when it was not timed by this call (already timed here, or past the bound).</summary>
    public bool Queued(long notificationId, long queuedAt)
    {
        lock (_byId)
        {
            return _byId.Count < MaxTimedIds && _byId.TryAdd(notificationId, new DeliveryTime(queuedAt, null));
        }
    }

    /// <summary>Called by the socket's writer once the notification's frame is written.</summary>
    public void Written(long notificationId)
    {
        var now = time.GetUtcNow();
        lock (_byId)
        {
            if (_byId.TryGetValue(notificationId, out var entry) && entry.WrittenAt is null)
            {
                _byId[notificationId] = entry with { WrittenAt = now };
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
        lock (_byId)
        {
            _byId.Remove(notificationId);
        }
    }

    /// <summary>Forgets the notification and returns its times, when it was timed here.</summary>
    public DeliveryTime? Acked(long notificationId)
    {
        lock (_byId)
        {
            return _byId.Remove(notificationId, out var entry) ? entry : null;
        }
    }
}
