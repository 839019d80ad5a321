using System.Threading.Channels;
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
/// keeps its order; a shed frame is a gap. An evicted frame stays in the channel until the reader meets
/// it — evictions always take the oldest normal frames, so the reader simply skips that many normal
/// frames — which bounds the channel at twice the capacity.
/// </summary>
internal sealed class SendQueue(int capacity)
{
    private readonly Channel<OutboundFrame> _channel =
        Channel.CreateUnbounded<OutboundFrame>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });

    private readonly Lock _gate = new();
    private int _count;
    private int _normal;
    private int _evicted;
    private bool _completed;

    /// <summary>Frames that will still be sent (shed ones excluded).</summary>
    public int Count => Volatile.Read(ref _count);

    public Offer TryAdd(OutboundFrame frame)
    {
        lock (_gate)
        {
            if (_completed)
            {
                return Offer.Closed;
            }

            var evicting = false;
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
                evicting = true;
            }

            _channel.Writer.TryWrite(frame); // unbounded and not completed: always succeeds
            _count++;
            if (frame.Priority == Priority.Normal)
            {
                _normal++;
            }

            return evicting ? Offer.QueuedShedding : Offer.Queued;
        }
    }

    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) => _channel.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>The next frame; <paramref name="shed"/> true when it was evicted and must not be sent.</summary>
    public bool TryTake(out OutboundFrame frame, out bool shed)
    {
        shed = false;
        if (!_channel.Reader.TryRead(out frame))
        {
            return false;
        }

        lock (_gate)
        {
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
            _channel.Writer.TryComplete();
        }
    }
}

/// <summary>A ready-made text frame, its notification's id (0 for other frames) and its priority.</summary>
internal readonly record struct OutboundFrame(ReadOnlyMemory<byte> Bytes, long NotificationId, Priority Priority);
