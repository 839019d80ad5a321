using System.Diagnostics;
using HdrHistogram;

namespace Situk.Bench.Load;

/// <summary>
/// What one phase published and what the devices received: per broadcast its send time, payload size,
/// how many devices should get it and how many did, the last arrival; per delivery the delay
/// (receive time − the publish's send time, both this process's <see cref="Stopwatch"/>, in microseconds)
/// into HdrHistograms overall and by payload size, bandwidth and device class.
/// </summary>
internal sealed class DelayBook
{
    /// <summary>Ten minutes in microseconds: anything later is clamped (and would be a loss in practice).</summary>
    private const long Highest = 600_000_000;

    private readonly long _firstId;
    private readonly long[] _sentAt;
    private readonly int[] _payload;
    private readonly int[] _expected;
    private readonly int[] _received;
    private readonly long[] _lastAt;
    private readonly TaskCompletionSource[] _done;
    private readonly Lock _gate = new();
    private int _published;
    private long _receivedTotal;
    private long _firstSentAt;

    public DelayBook(string phase, long firstId, int capacity)
    {
        Phase = phase;
        _firstId = firstId;
        _sentAt = new long[capacity];
        _payload = new int[capacity];
        _expected = new int[capacity];
        _received = new int[capacity];
        _lastAt = new long[capacity];
        _done = [.. Enumerable.Range(0, capacity).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))];
    }

    public string Phase { get; }

    public LongHistogram All { get; } = NewHistogram();

    public SortedDictionary<int, LongHistogram> ByPayload { get; } = [];

    public SortedDictionary<int, LongHistogram> ByBandwidth { get; } = [];

    public SortedDictionary<string, LongHistogram> ByClass { get; } = new(StringComparer.Ordinal);

    public int Capacity => _sentAt.Length;

    public int Published => Volatile.Read(ref _published);

    public long Received => Interlocked.Read(ref _receivedTotal);

    public long Expected => _expected.Take(Published).Sum(static e => (long)e);

    public long IdOf(int index) => _firstId + index;

    /// <summary>Call right before the publish leaves: <paramref name="expected"/> is the devices open now.</summary>
    public void Sending(int index, int payloadBytes, int expected)
    {
        _payload[index] = payloadBytes;
        _expected[index] = expected;
        if (expected == 0)
        {
            _done[index].TrySetResult();
        }

        var now = Stopwatch.GetTimestamp();
        Interlocked.CompareExchange(ref _firstSentAt, now, 0);
        Volatile.Write(ref _sentAt[index], now);
        Interlocked.Increment(ref _published);
    }

    /// <summary>
    /// In a load agent, whose publisher is another process: takes notification <paramref name="id"/>'s send
    /// time (<paramref name="sentAt"/>, this machine's monotonic clock, which every process shares) from the
    /// first frame of it a device here reads, with <paramref name="expected"/> deliveries owed here.
    /// </summary>
    public void Adopt(long id, long sentAt, int expected)
    {
        var index = id - _firstId;
        if (index < 0 || index >= _sentAt.Length || Volatile.Read(ref _sentAt[index]) != 0)
        {
            return;
        }

        _expected[index] = expected;
        if (Interlocked.CompareExchange(ref _sentAt[index], sentAt, 0) == 0)
        {
            Interlocked.CompareExchange(ref _firstSentAt, sentAt, 0);
            Interlocked.Increment(ref _published);
        }
    }

    /// <summary>A copy of <see cref="All"/>, safe to read while devices still record.</summary>
    public LongHistogram SnapshotAll()
    {
        lock (_gate)
        {
            return (LongHistogram)All.Copy();
        }
    }

    /// <summary>Completes when every expected device has received broadcast <paramref name="index"/>.</summary>
    public Task Completion(int index) => _done[index].Task;

    /// <summary>Records a delivery; ignores ids of other phases.</summary>
    public void Record(long id, string deviceClass, int kbit, long receivedAt)
    {
        var index = id - _firstId;
        if (index < 0 || index >= _sentAt.Length || Volatile.Read(ref _sentAt[index]) is var sentAt && sentAt == 0)
        {
            return;
        }

        var micros = Math.Clamp((receivedAt - sentAt) * 1_000_000 / Stopwatch.Frequency, 1, Highest);
        lock (_gate)
        {
            All.RecordValue(micros);
            Of(ByPayload, _payload[index]).RecordValue(micros);
            Of(ByBandwidth, kbit).RecordValue(micros);
            Of(ByClass, deviceClass).RecordValue(micros);
        }

        var last = Volatile.Read(ref _lastAt[index]);
        while (receivedAt > last && Interlocked.CompareExchange(ref _lastAt[index], receivedAt, last) != last)
        {
            last = Volatile.Read(ref _lastAt[index]);
        }

        Interlocked.Increment(ref _receivedTotal);
        if (Interlocked.Increment(ref _received[index]) == _expected[index])
        {
            _done[index].TrySetResult();
        }
    }

    /// <summary>Milliseconds from broadcast <paramref name="index"/>'s send to its last arrival (NaN if none arrived).</summary>
    public double LastDeviceMs(int index) =>
        Volatile.Read(ref _lastAt[index]) is var last and > 0 ? (last - _sentAt[index]) * 1000.0 / Stopwatch.Frequency : double.NaN;

    public int ReceivedOf(int index) => Volatile.Read(ref _received[index]);

    public int ExpectedOf(int index) => _expected[index];

    public int PayloadOf(int index) => _payload[index];

    /// <summary>Deliveries per second from the first send to the last arrival.</summary>
    public double DeliveriesPerSecond()
    {
        var last = _lastAt.Max();
        var first = Interlocked.Read(ref _firstSentAt);
        return last > first && first > 0 ? Received * (double)Stopwatch.Frequency / (last - first) : 0;
    }

    private static LongHistogram Of<TKey>(SortedDictionary<TKey, LongHistogram> map, TKey key)
        where TKey : notnull
    {
        if (!map.TryGetValue(key, out var histogram))
        {
            map[key] = histogram = NewHistogram();
        }

        return histogram;
    }

    private static LongHistogram NewHistogram() => new(Highest, 3);
}
