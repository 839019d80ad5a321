using HdrHistogram;

namespace Situk.Bench.EndToEnd;

/// <summary>
/// One phase's delays (microseconds, HdrHistogram), counted once per notification id: a repeat is a
/// duplicate, not a second sample. Completes when every expected id has arrived.
/// </summary>
internal sealed class DelayRecorder(string name, int expected)
{
    private readonly LongHistogram _histogram = new(600_000_000, 3);
    private readonly HashSet<long> _seen = new(expected);
    private readonly TaskCompletionSource _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _duplicates;

    public string Name { get; } = name;

    public int Expected { get; } = expected;

    public Task Complete => _complete.Task;

    public int Received
    {
        get
        {
            lock (_seen)
            {
                return _seen.Count;
            }
        }
    }

    public int Duplicates => Volatile.Read(ref _duplicates);

    public void Record(long id, long delayMicroseconds)
    {
        lock (_seen)
        {
            if (!_seen.Add(id))
            {
                _duplicates++;
                return;
            }

            _histogram.RecordValue(Math.Clamp(delayMicroseconds, 0, _histogram.HighestTrackableValue));
            if (_seen.Count == Expected)
            {
                _complete.TrySetResult();
            }
        }
    }

    /// <summary>A copy of the histogram, safe to read while devices still record.</summary>
    public LongHistogram Snapshot()
    {
        lock (_seen)
        {
            return (LongHistogram)_histogram.Copy();
        }
    }
}
