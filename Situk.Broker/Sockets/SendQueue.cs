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
/// It also decides, under the same lock, when its one reader (the <see cref="FrameWriter"/>'s loop) runs: an
/// offer or a <see cref="Complete"/> that finds frames to write and no reader running says so to its caller,
/// who starts one; a reader that finds the queue empty stops (<see cref="TryStop"/>) and lets go of the queue's
/// storage. So an idle socket holds no waiting reader and no queue array, only this object (every idle device
/// socket has one, so its size is the broker's memory per connection: docs/benchmarks.md, "Memory per idle device").
/// </para>
/// </summary>
internal sealed class SendQueue(int capacity, long maxBytes = long.MaxValue)
{
    private readonly Lock _gate = new();

    /// <summary>Made for the first frame that waits; dropped when the reader has emptied it.</summary>
    private Queue<OutboundFrame>? _frames;
    private ReaderState _reader;
    private int _count;
    private int _normal;
    private int _evicted;
    private long _bytes;
    private bool _completed;

    private enum ReaderState : byte
    {
        /// <summary><see cref="Start"/> not called yet: frames wait for it.</summary>
        NotStarted,

        /// <summary>No reader runs; the next frame (or the completion) starts one.</summary>
        Stopped,

        Running,

        /// <summary>The reader ended for good (the socket is closed or failed): nothing starts it again.</summary>
        Finished,
    }

    /// <summary>Nothing queued, shed frames not yet skipped included: a frame written now would keep the order.</summary>
    public bool IsEmpty
    {
        get
        {
            lock (_gate)
            {
                return _frames is null || _frames.Count == 0;
            }
        }
    }

    /// <summary>A reader is running (tests read it: an idle socket has none).</summary>
    public bool IsReaderRunning
    {
        get
        {
            lock (_gate)
            {
                return _reader == ReaderState.Running;
            }
        }
    }

    /// <summary>The queue holds storage for frames (tests read it: an idle socket holds none).</summary>
    public bool HasStorage
    {
        get
        {
            lock (_gate)
            {
                return _frames is not null;
            }
        }
    }

    /// <summary>No more frames are taken; the reader, once it has run, sends the close.</summary>
    public bool IsCompleted
    {
        get
        {
            lock (_gate)
            {
                return _completed;
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

    public Offer TryAdd(OutboundFrame frame) => TryAdd(frame, out _);

    /// <summary>Offers a frame; <paramref name="startReader"/> is true when the caller must start the reader for it.</summary>
    public Offer TryAdd(OutboundFrame frame, out bool startReader)
    {
        startReader = false;
        lock (_gate)
        {
            if (_completed)
            {
                return Offer.Closed;
            }

            var offer = Offer.Queued;
            var queued = _frames?.Count ?? 0;
            // An empty queue takes any frame, so one frame larger than the bound is not refused forever.
            if (queued > 0 && _bytes + frame.Bytes.Length > maxBytes)
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

            (_frames ??= new Queue<OutboundFrame>()).Enqueue(frame);
            _bytes += frame.Bytes.Length;
            _count++;
            if (frame.Priority == Priority.Normal)
            {
                _normal++;
            }

            startReader = TakeStart();
            return offer;
        }
    }

    /// <summary>The next frame; <paramref name="shed"/> true when it was evicted and must not be sent.</summary>
    public bool TryTake(out OutboundFrame frame, out bool shed)
    {
        shed = false;
        lock (_gate)
        {
            if (_frames is null || !_frames.TryDequeue(out frame))
            {
                frame = default;
                return false;
            }

            _bytes -= frame.Bytes.Length;

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

    /// <summary>
    /// The reader found the queue empty: true when it must stop (nothing queued, no completion), its storage
    /// given back; false when frames came meanwhile or the queue is completed, and it goes on.
    /// </summary>
    public bool TryStop()
    {
        lock (_gate)
        {
            if (_completed || _frames is { Count: > 0 })
            {
                return false;
            }

            _frames = null;
            _reader = ReaderState.Stopped;
            return true;
        }
    }

    /// <summary>Frames may now be read: true when the caller must start the reader (frames wait, or the queue is completed).</summary>
    public bool Start()
    {
        lock (_gate)
        {
            if (_reader != ReaderState.NotStarted)
            {
                return false;
            }

            _reader = ReaderState.Stopped;
            return (_completed || _frames is { Count: > 0 }) && TakeStart();
        }
    }

    /// <summary>
    /// Takes no more frames; the reader ends once it has done what it does at the end (its close). True when
    /// the caller must start the reader for that.
    /// </summary>
    public bool Complete()
    {
        lock (_gate)
        {
            _completed = true;
            return TakeStart();
        }
    }

    /// <summary>The reader ended for good (or never will run): takes no more frames and starts no reader.</summary>
    public void Finish()
    {
        lock (_gate)
        {
            _completed = true;
            _reader = ReaderState.Finished;
        }
    }

    /// <summary>Under the lock: true (and now running) when a started queue has no reader running.</summary>
    private bool TakeStart()
    {
        if (_reader != ReaderState.Stopped)
        {
            return false;
        }

        _reader = ReaderState.Running;
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
