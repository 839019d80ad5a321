using System.Net.WebSockets;
using System.Threading.Channels;

namespace Situk.Broker.Sockets;

/// <summary>
/// The one writer of a WebSocket: a bounded queue of ready-made UTF-8 text frames drained by a single
/// loop, so no caller ever waits on the network. <see cref="TryWrite"/> never blocks; a full queue is
/// the caller's signal that the peer is too slow. A close request (first one wins) stops the loop,
/// skips what is still queued, sends the close frame and arms an abort timer in case the peer never
/// finishes the handshake.
/// </summary>
internal sealed class FrameWriter : IDisposable
{
    /// <summary>What <see cref="TryWrite(ReadOnlyMemory{byte})"/> queues for frames that are not notifications.</summary>
    private const long NotANotification = 0;

    private readonly WebSocket _socket;
    private readonly Channel<OutboundFrame> _queue;
    private readonly TimeProvider _time;
    private readonly TimeSpan _closeTimeout;
    private readonly Action? _onSent;
    private readonly Action<long>? _onNotificationWritten;
    private CloseOutcome? _closing;
    private ITimer? _abortTimer;
    private long _framesSent;

    public FrameWriter(
        WebSocket socket,
        int capacity,
        TimeProvider time,
        TimeSpan closeTimeout,
        Action? onSent = null,
        Action<long>? onNotificationWritten = null)
    {
        _socket = socket;
        _time = time;
        _closeTimeout = closeTimeout;
        _onSent = onSent;
        _onNotificationWritten = onNotificationWritten;
        _queue = Channel.CreateBounded<OutboundFrame>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait, // only TryWrite is used: full means "refused", never "wait"
        });
    }

    public long FramesSent => Interlocked.Read(ref _framesSent);

    public int Depth => _queue.Reader.CanCount ? _queue.Reader.Count : 0;

    public bool IsClosing => Volatile.Read(ref _closing) is not null;

    /// <summary>The close this side asked for, if any.</summary>
    public CloseOutcome? RequestedClose => Volatile.Read(ref _closing);

    /// <summary>Queues a frame; false when the queue is full or the socket is closing.</summary>
    public bool TryWrite(ReadOnlyMemory<byte> frame) => TryWrite(frame, NotANotification);

    /// <summary>Queues a notification's frame, to be reported by id once written; false when full or closing.</summary>
    public bool TryWrite(ReadOnlyMemory<byte> frame, long notificationId) =>
        !IsClosing && _queue.Writer.TryWrite(new OutboundFrame(frame, notificationId));

    /// <summary>Asks the loop to send a close frame. Returns false if a close was already requested.</summary>
    public bool RequestClose(int code, string reason)
    {
        if (Interlocked.CompareExchange(ref _closing, new CloseOutcome(code, reason), null) is not null)
        {
            return false;
        }

        _queue.Writer.TryComplete();
        _abortTimer = _time.CreateTimer(static s => ((WebSocket)s!).Abort(), _socket, _closeTimeout, Timeout.InfiniteTimeSpan);
        return true;
    }

    /// <summary>Drains the queue into the socket until a close is requested, then sends the close frame.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                while (!IsClosing && reader.TryRead(out var frame))
                {
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
        _queue.Writer.TryComplete();
        _abortTimer?.Dispose();
    }
}

/// <summary>A ready-made text frame and, for a notification, its id (0 otherwise).</summary>
internal readonly record struct OutboundFrame(ReadOnlyMemory<byte> Bytes, long NotificationId);
