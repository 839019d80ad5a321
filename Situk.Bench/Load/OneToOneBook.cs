using System.Collections.Concurrent;
using System.Diagnostics;
using HdrHistogram;

namespace Situk.Bench.Load;

/// <summary>
/// The one-to-one publish phase: each HTTP publish goes to one device's user, and its delay runs from just
/// before the call left to that device's receipt, both on this process's <see cref="Stopwatch"/>. A device
/// gets its one-to-one notifications in the order they were sent to it (one socket, one writer), so its
/// n-th receipt is matched with its n-th send: no id is needed (Situk's broker gives ephemeral ids of its own).
/// The calls themselves are timed too, until the answer's status line and body are read.
/// </summary>
internal sealed class OneToOneBook(int devices)
{
    private const long Highest = 600_000_000;

    private readonly ConcurrentQueue<long>[] _sent = [.. Enumerable.Range(0, devices).Select(_ => new ConcurrentQueue<long>())];
    private readonly Lock _gate = new();
    private long _received;
    private int _sentCount;

    /// <summary>Publish → device, µs.</summary>
    public LongHistogram Delays { get; } = new(Highest, 3);

    /// <summary>The HTTP call until its answer was read, µs.</summary>
    public LongHistogram Calls { get; } = new(Highest, 3);

    public int Sent => Volatile.Read(ref _sentCount);

    public long Received => Interlocked.Read(ref _received);

    /// <summary>Calls answered with anything but 2xx, or that failed, by status or error.</summary>
    public ConcurrentDictionary<string, int> Failed { get; } = new(StringComparer.Ordinal);

    /// <summary>Call right before the publish to <paramref name="device"/> leaves; returns the send time.</summary>
    public long Sending(int device)
    {
        var now = Stopwatch.GetTimestamp();
        _sent[device].Enqueue(now);
        Interlocked.Increment(ref _sentCount);
        return now;
    }

    public void Answered(long sentAt)
    {
        var micros = Math.Clamp(Stopwatch.GetElapsedTime(sentAt).Ticks / 10, 1, Highest);
        lock (_gate)
        {
            Calls.RecordValue(micros);
        }
    }

    public void Fail(string why) => Failed.AddOrUpdate(why, 1, static (_, n) => n + 1);

    /// <summary>Device <paramref name="device"/> read a notification at <paramref name="receivedAt"/>.</summary>
    public void Record(int device, long receivedAt)
    {
        if (device < 0 || device >= _sent.Length || !_sent[device].TryDequeue(out var sentAt))
        {
            return;
        }

        var micros = Math.Clamp((receivedAt - sentAt) * 1_000_000 / Stopwatch.Frequency, 1, Highest);
        lock (_gate)
        {
            Delays.RecordValue(micros);
        }

        Interlocked.Increment(ref _received);
    }
}
