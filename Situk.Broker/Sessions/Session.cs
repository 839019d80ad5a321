using Situk.Broker.Auth;
using Situk.Broker.Sockets;
using Situk.Contracts;

namespace Situk.Broker.Sessions;

/// <summary>What happened when a frame was offered to a session.</summary>
internal enum Delivery
{
    Queued,

    /// <summary>The queue was full: the session is now closing with 1013 (counted once as a drop).</summary>
    Dropped,

    /// <summary>The session was already closing; nothing queued.</summary>
    Skipped,
}

/// <summary>
/// One device connection: who it is, its outbound <see cref="FrameWriter"/>, and when each notification
/// was queued and written (<see cref="DeliveryTimes"/>, shared with the writer) so the ack can be timed
/// and reported. The socket's receive loop lives in <c>DeviceEndpoint</c>.
/// </summary>
internal sealed class Session(
    string id,
    DeviceIdentity identity,
    string deviceClass,
    string? remoteAddress,
    DateTimeOffset connectedAt,
    FrameWriter writer,
    DeliveryTimes times)
{
    private long _acks;

    public string Id { get; } = id;

    public string UserId => identity.UserId;

    public string Role => identity.Role;

    public DateTimeOffset ExpiresAt => identity.ExpiresAt;

    public string DeviceClass { get; } = deviceClass;

    public DateTimeOffset ConnectedAt { get; } = connectedAt;

    public FrameWriter Writer { get; } = writer;

    public long Acks => Interlocked.Read(ref _acks);

    /// <summary>Queues a serialised notification without waiting; a full queue closes the session with 1013.</summary>
    public Delivery Deliver(ReadOnlyMemory<byte> frame, long notificationId, long publishedAt)
    {
        if (Writer.IsClosing)
        {
            return Delivery.Skipped;
        }

        // Timed before it is queued: the writer may write it (and stamp it) at once.
        times.Queued(notificationId, publishedAt);
        if (!Writer.TryWrite(frame, notificationId))
        {
            times.Acked(notificationId);
            return Close(CloseCodes.TryAgainLater, "too slow: send queue full") ? Delivery.Dropped : Delivery.Skipped;
        }

        return Delivery.Queued;
    }

    /// <summary>Queues a frame that is not a notification (nothing to time or ack); a full queue closes with 1013.</summary>
    public void Send(ReadOnlyMemory<byte> frame)
    {
        if (!Writer.IsClosing && !Writer.TryWrite(frame))
        {
            Close(CloseCodes.TryAgainLater, "too slow: send queue full");
        }
    }

    /// <summary>Counts an ack; returns when the acked notification was queued and written here, if it was timed.</summary>
    public DeliveryTime? Acked(long notificationId)
    {
        Interlocked.Increment(ref _acks);
        return times.Acked(notificationId);
    }

    /// <summary>Asks the writer to close with <paramref name="code"/>; false if a close was already under way.</summary>
    public bool Close(int code, string reason) => Writer.RequestClose(code, reason);

    public SessionInfo ToInfo() =>
        new(Id, UserId, Role, DeviceClass, remoteAddress, ConnectedAt, Writer.FramesSent, Acks, Writer.Depth);
}
