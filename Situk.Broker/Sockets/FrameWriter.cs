using System.Net.WebSockets;
using Situk.Contracts;

namespace Situk.Broker.Sockets;

/// <summary>
/// The one writer of a WebSocket: a bounded queue of ready-made UTF-8 text frames (<see cref="SendQueue"/>,
/// two priorities) drained by a single loop, so no caller ever waits on the network. Offering a frame never
/// blocks. A full queue sheds normal-priority frames first; a high-priority frame that finds no normal one
/// to take the room of is refused, the caller's signal that the peer is too slow. Frames that are not
/// notifications count as high. A close request (first one wins) stops the loop, skips what is still
/// queued, sends the close frame and arms an abort timer in case the peer never finishes the handshake.
/// </summary>
internal sealed class FrameWriter : IDisposable
{
    /// <summary>What <see cref="TryWrite(ReadOnlyMemory{byte})"/> queues for frames that are not notifications.</summary>
    private const long NotANotification = 0;

    private readonly WebSocket _socket;
    private readonly SendQueue _queue;
    private readonly TimeProvider _time;
    private readonly TimeSpan _closeTimeout;
    private readonly Action? _onSent;
    private readonly Action<long>? _onNotificationWritten;
    private readonly Action? _onShed;
    private readonly Action<long>? _onNotificationShed;
    private CloseOutcome? _closing;
    private ITimer? _abortTimer;
    private long _framesSent;

    public FrameWriter(
        WebSocket socket,
        int capacity,
        TimeProvider time,
        TimeSpan closeTimeout,
        Action? onSent = null,
        Action<long>? onNotificationWritten = null,
        Action? onShed = null,
        Action<long>? onNotificationShed = null,
        long maxBytes = long.MaxValue)
    {
        _socket = socket;
        _time = time;
        _closeTimeout = closeTimeout;
        _onSent = onSent;
        _onNotificationWritten = onNotificationWritten;
        _onShed = onShed;
        _onNotificationShed = onNotificationShed;
        _queue = new SendQueue(capacity, maxBytes);
    }

    public long FramesSent => Interlocked.Read(ref _framesSent);

    public int Depth => _queue.Count;

    /// <summary>Bytes queued and not yet written.</summary>
    public long DepthBytes => _queue.Bytes;

    public bool IsClosing => Volatile.Read(ref _closing) is not null;

    /// <summary>The close this side asked for, if any.</summary>
    public CloseOutcome? RequestedClose => Volatile.Read(ref _closing);

    /// <summary>Queues a frame that is not a notification, as high priority; false when the queue is full of high-priority frames or the socket is closing.</summary>
    public bool TryWrite(ReadOnlyMemory<byte> frame) =>
        TryWrite(frame, NotANotification, Priority.High) is Offer.Queued or Offer.QueuedShedding;

    /// <summary>
    /// Offers a notification's frame, to be reported by id once written. Every shed frame (this one, or a
    /// queued normal one it took the room of) is reported to <c>onShed</c>.
    /// </summary>
    public Offer TryWrite(ReadOnlyMemory<byte> frame, long notificationId, Priority priority)
    {
        if (IsClosing)
        {
            return Offer.Closed;
        }

        var offer = _queue.TryAdd(new OutboundFrame(frame, notificationId, priority));
        if (offer is Offer.Shed or Offer.QueuedShedding)
        {
            _onShed?.Invoke();
        }

        return offer;
    }

    /// <summary>Asks the loop to send a close frame. Returns false if a close was already requested.</summary>
    public bool RequestClose(int code, string reason)
    {
        if (Interlocked.CompareExchange(ref _closing, new CloseOutcome(code, reason), null) is not null)
        {
            return false;
        }

        _queue.Complete();
        _abortTimer = _time.CreateTimer(static s => ((WebSocket)s!).Abort(), _socket, _closeTimeout, Timeout.InfiniteTimeSpan);
        return true;
    }

    /// <summary>Drains the queue into the socket until a close is requested, then sends the close frame.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = cancellationToken.UnsafeRegister(static s => ((SendQueue)s!).Cancel(), _queue);
        try
        {
            while (await _queue.WaitToReadAsync())
            {
                while (!IsClosing && _queue.TryTake(out var frame, out var shed))
                {
                    if (shed)
                    {
                        _onNotificationShed?.Invoke(frame.NotificationId);
                        continue;
                    }

                    await _socket.SendAsync(frame.Bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
                    Interlocked.Increment(ref _framesSent);
                    _onSent?.Invoke();
                    if (frame.NotificationId != NotANotification)
                    {
                        _onNotificationWritten?.Invoke(frame.NotificationId);
                    }
                }

                if (IsClosing)
                {
                    break;
                }
            }

            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                var (code, reason) = RequestedClose ?? new CloseOutcome(1000, "");
                await _socket.CloseOutputAsync((WebSocketCloseStatus)code, reason, cancellationToken);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // A failed write ends this socket only; the reader notices and the session is removed.
            _socket.Abort();
        }
    }

    public void Dispose()
    {
        _queue.Complete();
        _abortTimer?.Dispose();
    }
}
