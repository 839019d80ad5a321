using System.Threading.Tasks.Sources;
using Situk.Contracts;

namespace Situk.Broker.Sockets;

/// <summary>What <see cref="SendQueue.TryAdd"/> did with a frame.</summary>
internal enum Offer
{
    Queued,

    /// <summary>Queued in place of the oldest queued normal-priority frame, which is now shed (never sent).</summary>
    QueuedShedding,

    /// <summary>A normal-priority frame met a full queue: shed, not queued.</summary>
    Shed,

    /// <summary>A high-priority frame met a queue holding only high-priority frames: not queued, the caller closes.</summary>
    Full,

    /// <summary>The queue no longer takes frames (the socket is closing).</summary>
    Closed,
}

/// <summary>
/// A socket's outbound frames: one FIFO of at most <c>capacity</c> frames in two priorities. When it is
/// full, a normal frame is shed; a high frame takes the room of the oldest queued normal frame (shed in
/// its turn), and only when no normal frame is left is it refused (<see cref="Offer.Full"/>). What is sent
/// keeps its order; a shed frame is a gap. An evicted frame stays queued until the reader meets it —
/// evictions always take the oldest normal frames, so the reader simply skips that many normal frames —
/// which bounds the queue at twice the capacity. <c>maxBytes</c> (default unbounded; API links set it)
/// also bounds the bytes of the frames still to be sent: a frame that would pass it is treated like one
/// meeting a full queue of high-priority frames (shed when normal, refused when high).
/// <para>
/// One reader waits at a time (<see cref="WaitToReadAsync"/>), on this object itself as its
/// <see cref="IValueTaskSource{TResult}"/>, so waiting allocates nothing; an idle queue holds no more
/// than a few slots, as a queue grown by a burst gives its room back once it is empty. Every idle device
/// socket has one of these, so its size is the broker's memory per connection (Situk.Bench/README.md).
/// </para>
/// </summary>
internal sealed class SendQueue(int capacity, long maxBytes = long.MaxValue) : IValueTaskSource<bool>
{
    /// <summary>An emptied queue that grew past this many slots gives them back.</summary>
    private const int KeptSlots = 8;

    private readonly Queue<OutboundFrame> _frames = new();
    private readonly Lock _gate = new();
    private ManualResetValueTaskSourceCore<bool> _waiter = new() { RunContinuationsAsynchronously = true };
    private bool _waiting;
    private int _peak;
    private int _count;
    private int _normal;
    private int _evicted;
    private long _bytes;
    private bool _completed;
    private bool _canceled;

    /// <summary>Nothing queued, shed frames not yet skipped included: a frame written now would keep the order.</summary>
    public bool IsEmpty
    {
        get
        {
            lock (_gate)
            {
                return _frames.Count == 0;
            }
        }
    }

    /// <summary>Frames that will still be sent (shed ones excluded).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Bytes of the frames queued, shed ones not yet skipped included.</summary>
    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    public Offer TryAdd(OutboundFrame frame)
    {
        Offer offer;
        lock (_gate)
        {
            if (_completed)
            {
                return Offer.Closed;
            }

            offer = Offer.Queued;
            // An empty queue takes any frame, so one frame larger than the bound is not refused forever.
            if (_frames.Count > 0 && _bytes + frame.Bytes.Length > maxBytes)
            {
                return frame.Priority == Priority.Normal ? Offer.Shed : Offer.Full;
            }

            if (_count >= capacity)
            {
                if (frame.Priority == Priority.Normal)
                {
                    return Offer.Shed;
                }

                if (_normal == 0)
                {
                    return Offer.Full;
                }

                _normal--;
                _count--;
                _evicted++;
                offer = Offer.QueuedShedding;
            }

            _frames.Enqueue(frame);
            _bytes += frame.Bytes.Length;
            _peak = Math.Max(_peak, _frames.Count);
            _count++;
            if (frame.Priority == Priority.Normal)
            {
                _normal++;
            }

            if (!TakeWaiter())
            {
                return offer;
            }
        }

        _waiter.SetResult(true);
        return offer;
    }

    /// <summary>True once a frame is queued; false when the queue is completed and empty; throws once canceled.</summary>
    public ValueTask<bool> WaitToReadAsync()
    {
        lock (_gate)
        {
            if (_canceled)
            {
                return ValueTask.FromException<bool>(new OperationCanceledException("The socket's writer was canceled."));
            }

            if (_frames.Count > 0)
            {
                return new ValueTask<bool>(true);
            }

            if (_completed)
            {
                return new ValueTask<bool>(false);
            }

            _waiter.Reset();
            _waiting = true;
            return new ValueTask<bool>(this, _waiter.Version);
        }
    }

    /// <summary>The next frame; <paramref name="shed"/> true when it was evicted and must not be sent.</summary>
    public bool TryTake(out OutboundFrame frame, out bool shed)
    {
        shed = false;
        lock (_gate)
        {
            if (!_frames.TryDequeue(out frame))
            {
                return false;
            }

            _bytes -= frame.Bytes.Length;

            if (_frames.Count == 0 && _peak > KeptSlots)
            {
                _frames.TrimExcess();
                _peak = 0;
            }

            if (frame.Priority == Priority.Normal && _evicted > 0)
            {
                _evicted--;
                shed = true;
                return true;
            }

            _count--;
            if (frame.Priority == Priority.Normal)
            {
                _normal--;
            }
        }

        return true;
    }

    /// <summary>Takes no more frames; the reader ends once it has taken what is queued.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            _completed = true;
            if (!TakeWaiter())
            {
                return;
            }
        }

        _waiter.SetResult(false);
    }

    /// <summary>Ends a wait (now or the next one) with <see cref="OperationCanceledException"/>: the socket is gone.</summary>
    public void Cancel()
    {
        lock (_gate)
        {
            _canceled = true;
            if (!TakeWaiter())
            {
                return;
            }
        }

        _waiter.SetException(new OperationCanceledException("The socket's writer was canceled."));
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _waiter.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _waiter.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _waiter.OnCompleted(continuation, state, token, flags);

    /// <summary>Under the lock: true (and no longer waiting) when the reader waits and is now the caller's to release.</summary>
    private bool TakeWaiter()
    {
        if (!_waiting)
        {
            return false;
        }

        _waiting = false;
        return true;
    }
}

/// <summary>
/// A ready-made text message, its notification's id (0 for other frames) and its priority. With a
/// <paramref name="HeaderLength"/> the bytes are a whole WebSocket frame (<see cref="TextFrames"/>): that many header bytes,
/// then the payload; without one (0) they are the payload alone.
/// </summary>
internal readonly record struct OutboundFrame(ReadOnlyMemory<byte> Bytes, long NotificationId, Priority Priority, int HeaderLength = 0)
{
    /// <summary>The message's payload, without the frame header.</summary>
    public ReadOnlyMemory<byte> Payload => Bytes[HeaderLength..];
}
