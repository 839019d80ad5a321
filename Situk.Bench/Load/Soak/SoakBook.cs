using System.Diagnostics;
using HdrHistogram;

namespace Situk.Bench.Load.Soak;

/// <summary>
/// What the soak published and what the devices owed and got. Broadcast <c>k</c> has id
/// <see cref="FirstId"/> + k and a send time. A device session owes every broadcast published between
/// its welcome and the moment it decides to leave (<see cref="DeviceSession"/> counts gaps, in order);
/// what it did not get is a loss. Delays (receive − send, microseconds) go into the current sample
/// interval's histogram and the run's.
/// </summary>
internal sealed class SoakBook(int capacity)
{
    public const long FirstId = 1;

    /// <summary>Ten minutes in microseconds: later deliveries are clamped.</summary>
    private const long Highest = 600_000_000;

    private readonly long[] _sentAt = new long[capacity];
    private readonly Lock _gate = new();
    private LongHistogram _interval = NewHistogram();
    private int _published;
    private long _received;
    private long _expected;
    private long _lost;
    private long _duplicates;

    public int Capacity => _sentAt.Length;

    public int Published => Volatile.Read(ref _published);

    public long Received => Interlocked.Read(ref _received);

    public long Expected => Interlocked.Read(ref _expected);

    public long Lost => Interlocked.Read(ref _lost);

    public long Duplicates => Interlocked.Read(ref _duplicates);

    public LongHistogram All { get; } = NewHistogram();

    /// <summary>Stamps broadcast <paramref name="index"/> right before it leaves and counts it published.</summary>
    public void Sending(int index)
    {
        Volatile.Write(ref _sentAt[index], Stopwatch.GetTimestamp());
        Volatile.Write(ref _published, index + 1);
    }

    public void Delivered(int index, long receivedAt)
    {
        var sentAt = Volatile.Read(ref _sentAt[index]);
        var micros = Math.Clamp((receivedAt - sentAt) * 1_000_000 / Stopwatch.Frequency, 1, Highest);
        Interlocked.Increment(ref _received);
        lock (_gate)
        {
            _interval.RecordValue(micros);
            All.RecordValue(micros);
        }
    }

    /// <summary>A session ended: it owed <paramref name="expected"/> broadcasts and missed <paramref name="lost"/>.</summary>
    public void Settled(long expected, long lost)
    {
        Interlocked.Add(ref _expected, expected);
        Interlocked.Add(ref _lost, lost);
    }

    public void Duplicate() => Interlocked.Increment(ref _duplicates);

    /// <summary>The delays recorded since the last call; a fresh histogram takes their place.</summary>
    public LongHistogram TakeInterval()
    {
        lock (_gate)
        {
            var taken = _interval;
            _interval = NewHistogram();
            return taken;
        }
    }

    public static LongHistogram NewHistogram() => new(Highest, 3);
}
