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
/// <para>
/// On a direct device socket (<see cref="SocketWire"/>) a whole frame (<see cref="TextFrames"/>) offered to an
/// empty queue is written at once on the caller's thread, with one non-blocking <c>send()</c>: no queueing,
/// no task, no thread hop (counted in <see cref="DirectWrites"/>). The queue and the loop take over only when
/// frames are already waiting, another frame is being written (the loop's, or the WebSocket's ping, pong or
/// close) or the kernel's buffer is full; what the kernel took of a frame is finished before any other frame.
/// </para>
/// <para>
/// The loop runs only while frames wait: it is started by the first frame that has to be queued (or by the
/// close), and it stops once it has emptied the queue, which then gives back its storage (<see cref="SendQueue"/>).
/// An idle session thus holds no waiting async method and no queue array, only this object and its queue's.
/// A close request starts the loop if it is not running, so the close frame goes out at once either way.
/// </para>
/// </summary>
internal sealed class FrameWriter : IDisposable
{
    /// <summary>What <see cref="TryWrite(ReadOnlyMemory{byte})"/> queues for frames that are not notifications.</summary>
    private const long NotANotification = 0;

    private readonly WebSocket _socket;
    private readonly SocketWire? _wire;
    private readonly SendQueue _queue;
    private readonly TimeProvider _time;
    private readonly TimeSpan _closeTimeout;
    private readonly IWriterEvents? _events;
    private CloseOutcome? _closing;
    private ITimer? _abortTimer;
    private Task? _rest;

    /// <summary>Completed once the loop has sent the close frame (or the socket failed); made when first asked for.</summary>
    private TaskCompletionSource? _done;
    private CancellationToken _stopping;
    private long _framesSent;
    private long _directWrites;
    private int _loopStarts;

    public FrameWriter(
        WebSocket socket,
        int capacity,
        TimeProvider time,
        TimeSpan closeTimeout,
        Action? onSent = null,
        Action<long>? onNotificationWritten = null,
        Action? onShed = null,
        Action<long>? onNotificationShed = null,
        long maxBytes = long.MaxValue,
        SocketWire? wire = null,
        IWriterEvents? events = null)
    {
        _socket = socket;
        _wire = wire;
        _time = time;
        _closeTimeout = closeTimeout;
        _events = events ?? (onSent ?? (object?)onNotificationWritten ?? onShed ?? (object?)onNotificationShed) switch
        {
            null => null,
            _ => new WriterCallbacks(onSent, onNotificationWritten, onShed, onNotificationShed),
        };
        _queue = new SendQueue(capacity, maxBytes);
    }

    public long FramesSent => Interlocked.Read(ref _framesSent);

    /// <summary>Frames written at once by the caller that offered them, never queued (direct sockets only).</summary>
    public long DirectWrites => Interlocked.Read(ref _directWrites);

    public int Depth => _queue.Count;

    /// <summary>Bytes queued and not yet written.</summary>
    public long DepthBytes => _queue.Bytes;

    public bool IsClosing => Volatile.Read(ref _closing) is not null;

    /// <summary>The writer loop is running now (it runs only while frames wait, and for the close).</summary>
    public bool IsLoopRunning => _queue.IsReaderRunning;

    /// <summary>How many times the loop was started; 0 for a session whose every frame was written at once.</summary>
    public int LoopStarts => Volatile.Read(ref _loopStarts);

    /// <summary>The queue holds an array of frames now (only while frames wait).</summary>
    public bool HasQueueStorage => _queue.HasStorage;

    /// <summary>Completes once the close frame has been sent, or the socket failed (after <see cref="RequestClose"/>).</summary>
    public Task Completion => Done().Task;

    /// <summary>The close this side asked for, if any.</summary>
    public CloseOutcome? RequestedClose => Volatile.Read(ref _closing);

    /// <summary>The socket under the WebSocket when the broker owns it (direct path), else null.</summary>
    public SocketWire? Wire => _wire;

    /// <summary>Ends the socket at once, without a close handshake (a peer that stopped answering pings).</summary>
    public void Abort() => _socket.Abort();

    /// <summary>Queues a frame that is not a notification, as high priority; false when the queue is full of high-priority frames or the socket is closing.</summary>
    public bool TryWrite(ReadOnlyMemory<byte> frame) =>
        TryWrite(new OutboundFrame(frame, NotANotification, Priority.High)) is Offer.Queued or Offer.QueuedShedding;

    /// <summary>
    /// Offers a notification's frame, to be reported by id once written. Every shed frame (this one, or a
    /// queued normal one it took the room of) is reported to <c>onShed</c>.
    /// </summary>
    public Offer TryWrite(ReadOnlyMemory<byte> frame, long notificationId, Priority priority) =>
        TryWrite(new OutboundFrame(frame, notificationId, priority));

    /// <summary>Offers a frame (a whole one from <see cref="TextFrames"/>, or a payload); see the other overloads.</summary>
    public Offer TryWrite(in OutboundFrame frame)
    {
        if (IsClosing)
        {
            return Offer.Closed;
        }

        if (_wire is { } wire && frame.HeaderLength > 0 && TryWriteNow(wire, frame))
        {
            return Offer.Queued;
        }

        var offer = _queue.TryAdd(frame, out var startLoop);
        if (startLoop)
        {
            StartLoop();
        }

        if (offer is Offer.Shed or Offer.QueuedShedding)
        {
            _events?.Shed();
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

        _abortTimer = _time.CreateTimer(static s => ((WebSocket)s!).Abort(), _socket, _closeTimeout, Timeout.InfiniteTimeSpan);
        if (_queue.Complete())
        {
            StartLoop(); // a loop that is running sends the close itself once it sees the request
        }

        return true;
    }

    /// <summary>
    /// Lets the loop run (frames queued so far, the welcome among them, wait for this) with the socket's token:
    /// once it is canceled, a write fails and ends the socket.
    /// </summary>
    public void Start(CancellationToken cancellationToken)
    {
        _stopping = cancellationToken;
        if (_queue.Start())
        {
            // On the caller's thread, as far as the socket takes it at once: the welcome is written before the
            // session's receive loop starts, so a close that loop asks for (a bad first frame) cannot skip it.
            StartLoop(inline: true);
        }
    }

    /// <summary><see cref="Start"/>, then <see cref="Completion"/>: done once a close was requested and its frame sent.</summary>
    public Task RunAsync(CancellationToken cancellationToken)
    {
        var done = Done().Task;
        Start(cancellationToken);
        return done;
    }

    public void Dispose()
    {
        _queue.Finish();
        _abortTimer?.Dispose();
    }

    private TaskCompletionSource Done() =>
        Volatile.Read(ref _done)
        ?? Interlocked.CompareExchange(ref _done, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null)
        ?? _done!;

    /// <summary>
    /// Runs the loop on the thread pool unless <paramref name="inline"/> (a publisher, a timer or an admin's kick
    /// never writes queued frames itself). Not awaited here: the loop catches what a write throws and reports its
    /// end through <see cref="Completion"/>.
    /// </summary>
    private void StartLoop(bool inline = false)
    {
        Interlocked.Increment(ref _loopStarts);
        _ = LoopAsync(inline, _stopping);
    }

    /// <summary>Drains the queue into the socket; stops when it is empty, or sends the close frame once one is requested.</summary>
    private async Task LoopAsync(bool inline, CancellationToken cancellationToken)
    {
        if (!inline)
        {
            await Task.Yield();
        }

        try
        {
            if (await DrainAsync(cancellationToken))
            {
                return; // emptied: the next frame that must wait starts the loop again
            }

            // A frame the kernel took only part of is finished first (it holds the wire until then).
            if (Volatile.Read(ref _rest) is { } rest)
            {
                await rest;
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
        catch (Exception e)
        {
            _queue.Finish();
            _socket.Abort();
            Done().TrySetException(e);
            return;
        }

        _queue.Finish();
        Done().TrySetResult();
    }

    /// <summary>Writes queued frames until the queue is empty (true) or the socket is closing (false).</summary>
    private async ValueTask<bool> DrainAsync(CancellationToken cancellationToken)
    {
        while (!IsClosing)
        {
            if (_queue.IsEmpty)
            {
                // Without taking the wire: an offer meanwhile is written at once, or queued and starts a new loop.
                if (_queue.TryStop())
                {
                    return true;
                }

                if (_queue.IsCompleted)
                {
                    return false;
                }

                continue;
            }

            // The wire is taken before the frame: a frame offered meanwhile cannot be written ahead of it.
            if (_wire is { } wire && !await wire.EnterForDataAsync())
            {
                return false; // the WebSocket wrote a close frame of its own (a protocol error)
            }

            OutboundFrame frame;
            try
            {
                if (!_queue.TryTake(out frame, out var shed))
                {
                    continue; // emptied meanwhile: the check above decides whether the loop stops
                }

                if (shed)
                {
                    _events?.NotificationShed(frame.NotificationId);
                    continue;
                }

                if (_wire is { } owned)
                {
                    var bytes = frame.HeaderLength > 0 ? frame.Bytes : TextFrames.Frame(frame.Bytes.Span).Bytes;
                    await owned.SendAsync(bytes, cancellationToken);
                }
                else
                {
                    await _socket.SendAsync(frame.Payload, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
                }
            }
            finally
            {
                _wire?.Exit();
            }

            Written(frame);
        }

        return false;
    }

    /// <summary>
    /// Writes a whole frame now when nothing is queued and nobody is writing: true when it is written or on
    /// its way (the kernel took part of it; the rest is written before any other frame), false when it must be queued.
    /// </summary>
    private bool TryWriteNow(SocketWire wire, in OutboundFrame frame)
    {
        if (!_queue.IsEmpty || !wire.TryEnter())
        {
            return false;
        }

        // Checked again with the wire held: a frame queued before we took it goes first, and nothing follows a close.
        if (!_queue.IsEmpty || IsClosing)
        {
            wire.Exit();
            return false;
        }

        int sent;
        try
        {
            sent = wire.TrySendNow(frame.Bytes.Span);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // As a failed write in the loop: this socket ends, the reader notices and the session is removed.
            wire.Exit();
            _socket.Abort();
            return true;
        }

        if (sent == 0)
        {
            wire.Exit(); // the kernel's buffer is full: the loop waits for room
            return false;
        }

        Interlocked.Increment(ref _directWrites);
        if (sent < frame.Bytes.Length)
        {
            Volatile.Write(ref _rest, WriteRestAsync(wire, frame, sent));
            return true;
        }

        wire.Exit();
        Written(frame);
        return true;
    }

    /// <summary>Finishes a frame the kernel took part of, holding the wire until it is whole.</summary>
    private async Task WriteRestAsync(SocketWire wire, OutboundFrame frame, int sent)
    {
        try
        {
            await wire.SendAsync(frame.Bytes[sent..], CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            wire.Exit();
            _socket.Abort();
            return;
        }

        wire.Exit();
        Written(frame);
    }

    private void Written(in OutboundFrame frame)
    {
        Interlocked.Increment(ref _framesSent);
        if (_events is { } events)
        {
            events.Sent();
            if (frame.NotificationId != NotANotification)
            {
                events.NotificationWritten(frame.NotificationId);
            }
        }
    }
}
