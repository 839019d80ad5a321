using System.Net;
using Situk.Broker.Auth;
using Situk.Broker.Sockets;
using Situk.Contracts;

namespace Situk.Broker.Sessions;

/// <summary>What happened when a frame was offered to a session.</summary>
internal enum Delivery
{
    Queued,

    /// <summary>A normal-priority notification met a full queue and was not queued; the session stays open.</summary>
    Shed,

    /// <summary>A high-priority notification met a queue full of high-priority frames: the session is now closing with 1013 (counted once as a drop).</summary>
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
    IPAddress? remoteAddress,
    DateTimeOffset connectedAt,
    FrameWriter writer,
    DeliveryTimes times)
{
    private long _acks;

    // The heartbeat on the direct path (HeartbeatSweep): when the last ping went out (Environment.TickCount64, 0 before
    // the first), and whether the session was ended for not answering one.
    private long _pingSentAt;
    private volatile bool _missedPong;
    private AckedIds? _acked;

    // Replaced whole by a token frame for the same user and role (Renew); read without a lock.
    private DeviceIdentity _identity = identity;

    public string Id { get; } = id;

    public string UserId { get; } = identity.UserId;

    public string Role { get; } = identity.Role;

    /// <summary>When the session's current token expires; a token frame moves it.</summary>
    public DateTimeOffset ExpiresAt => Volatile.Read(ref _identity).ExpiresAt;

    /// <summary>The device sign-in (token <c>sid</c>) of the session's current token; null for a token without one.</summary>
    public string? SignInId => Volatile.Read(ref _identity).SignInId;

    public string DeviceClass { get; } = deviceClass;

    public DateTimeOffset ConnectedAt { get; } = connectedAt;

    public FrameWriter Writer { get; } = writer;

    public long Acks => Interlocked.Read(ref _acks);

    /// <summary>The socket was ended because the device answered no ping within the heartbeat timeout.</summary>
    public bool MissedPong => _missedPong;

    /// <summary>When the last ping went out (<see cref="Environment.TickCount64"/>), 0 before the first; only the sweep writes it.</summary>
    public long PingSentAt
    {
        get => Volatile.Read(ref _pingSentAt);
        set => Volatile.Write(ref _pingSentAt, value);
    }

    /// <summary>Ends the socket at once: the device stopped answering pings, and a close handshake would only wait on it.</summary>
    public void DropUnresponsive()
    {
        _missedPong = true;
        Writer.Abort();
    }

    /// <summary>
    /// Queues a serialised notification without waiting. A full queue sheds normal-priority notifications
    /// (this one, or for a high one the oldest queued normal one); a high one that cannot be queued closes
    /// the session with 1013, so it is never lost while the session stays open.
    /// </summary>
    public Delivery Deliver(ReadOnlyMemory<byte> frame, long notificationId, long publishedAt, Priority priority) =>
        Deliver(new OutboundFrame(frame, notificationId, priority), publishedAt);

    /// <summary>
    /// As above, for a frame that may be whole (<see cref="TextFrames"/>): the one array <see cref="Fanout.Publisher"/>
    /// framed for every recipient, written to a direct socket as it is.
    /// </summary>
    public Delivery Deliver(in OutboundFrame frame, long publishedAt)
    {
        var notificationId = frame.NotificationId;
        if (Writer.IsClosing)
        {
            return Delivery.Skipped;
        }

        // Sent again (a re-send after a lost receipt): the device's next ack of it must count.
        if (Volatile.Read(ref _acked) is { } acked)
        {
            lock (acked)
            {
                acked.Forget(notificationId);
            }
        }

        // Timed before it is queued: the writer may write it (and stamp it) at once.
        // A copy already queued here (a re-send) keeps its own timing: only forget what this call timed.
        var timed = times.Queued(notificationId, publishedAt);
        var offer = Writer.TryWrite(frame);
        if (timed && offer is not (Offer.Queued or Offer.QueuedShedding))
        {
            times.Forget(notificationId);
        }

        return offer switch
        {
            Offer.Queued or Offer.QueuedShedding => Delivery.Queued,
            Offer.Shed => Delivery.Shed,
            Offer.Full => Close(CloseCodes.TryAgainLater, "too slow: send queue full") ? Delivery.Dropped : Delivery.Skipped,
            _ => Delivery.Skipped,
        };
    }

    /// <summary>
    /// Queues a frame that is not a notification (nothing to time or ack) as high priority: a full queue
    /// sheds its oldest normal notification to make room, and closes with 1013 when it holds none.
    /// </summary>
    /// <remarks>The frame may be whole (<see cref="TextFrames"/>); its id must be 0 and its priority high.</remarks>
    public void Send(in OutboundFrame frame)
    {
        if (!Writer.IsClosing && Writer.TryWrite(frame) is not (Offer.Queued or Offer.QueuedShedding or Offer.Closed))
        {
            Close(CloseCodes.TryAgainLater, "too slow: send queue full");
        }
    }

    /// <summary>
    /// False when this session acked <paramref name="notificationId"/> already and was not sent it again
    /// since: a duplicate, which makes no receipt. Remembers at most <paramref name="memory"/> ids.
    /// </summary>
    public bool FirstAck(long notificationId, int memory)
    {
        var acked = Volatile.Read(ref _acked)
            ?? Interlocked.CompareExchange(ref _acked, new AckedIds(memory), null)
            ?? _acked!;
        lock (acked)
        {
            return acked.Add(notificationId);
        }
    }

    /// <summary>
    /// Counts an ack read at <paramref name="at"/> for a notification the device received <paramref name="delay"/>
    /// earlier; returns when it was queued, written and received here, if it was timed (see <see cref="DeliveryTimes.Acked"/>).
    /// </summary>
    public DeliveryTime? Acked(long notificationId, DateTimeOffset at, TimeSpan delay = default)
    {
        Interlocked.Increment(ref _acks);
        return times.Acked(notificationId, at, delay);
    }

    /// <summary>
    /// Takes a newer token's identity: false (nothing changed) unless it names the same user and role.
    /// The next <see cref="TokenExpirySweep"/> reads the new expiry.
    /// </summary>
    public bool Renew(DeviceIdentity renewed)
    {
        if (!string.Equals(renewed.UserId, UserId, StringComparison.Ordinal) || !string.Equals(renewed.Role, Role, StringComparison.Ordinal))
        {
            return false;
        }

        Volatile.Write(ref _identity, renewed);
        return true;
    }

    /// <summary>Asks the writer to close with <paramref name="code"/>; false if a close was already under way.</summary>
    public bool Close(int code, string reason) => Writer.RequestClose(code, reason);

    public SessionInfo ToInfo() =>
        new(Id, UserId, Role, DeviceClass, remoteAddress?.ToString(), ConnectedAt, Writer.FramesSent, Acks, Writer.Depth);
}
