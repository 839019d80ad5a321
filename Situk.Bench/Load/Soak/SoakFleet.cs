using System.Collections.Concurrent;
using Situk.Bench.Load.Targets;

namespace Situk.Bench.Load.Soak;

/// <summary>
/// Every device slot of the soak, started at the ramp rate: a <see cref="SoakOptions.Churn"/> fraction of
/// them (spread evenly over the indexes) keeps leaving and reconnecting, the rest stay. Counts sockets
/// open, sessions opened, churned, refused and closed by the broker.
/// </summary>
internal sealed class SoakFleet(LoadTarget target, SoakOptions options, SoakBook book) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _slots = [];
    private int _open;
    private long _sessions;
    private long _churned;

    public LoadTarget Target => target;

    public SoakOptions Options => options;

    public SoakBook Book => book;

    public SourceAddresses Sources { get; } = new(5000);

    public int Open => Volatile.Read(ref _open);

    public long Sessions => Interlocked.Read(ref _sessions);

    public long Churned => Interlocked.Read(ref _churned);

    public ConcurrentDictionary<string, int> RefusedBy { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, int> ClosedByServerWith { get; } = new(StringComparer.Ordinal);

    public int ChurningDevices => Enumerable.Range(0, options.Devices).Count(IsChurner);

    /// <summary>Starts the slots at the ramp rate and returns once all are started and as many are open as can be within the deadline.</summary>
    public async Task StartAsync(TimeSpan deadline)
    {
        var until = DateTime.UtcNow + deadline;
        for (var i = 0; i < options.Devices; i++)
        {
            _slots.Add(new SoakDevice(i, IsChurner(i), this).RunAsync(_stop.Token));
            if ((i + 1) % Math.Max(1, options.RampPerSecond / 10) == 0)
            {
                await Task.Delay(100);
            }
        }

        while (Open < options.Devices - ChurningDevices && DateTime.UtcNow < until)
        {
            await Task.Delay(100);
        }
    }

    public void Opened()
    {
        Interlocked.Increment(ref _open);
        Interlocked.Increment(ref _sessions);
    }

    public void Closed() => Interlocked.Decrement(ref _open);

    public void Left() => Interlocked.Increment(ref _churned);

    public void Refused(string why) => RefusedBy.AddOrUpdate(why, 1, static (_, n) => n + 1);

    public void ClosedByServer(string code) => ClosedByServerWith.AddOrUpdate(code, 1, static (_, n) => n + 1);

    /// <summary>Every device leaves (after catching up on what it is owed) and every slot ends.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_slots);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        Sources.Dispose();
        _stop.Dispose();
    }

    private bool IsChurner(int index) =>
        options.Churn > 0 && Math.Floor((index + 1) * options.Churn) > Math.Floor(index * options.Churn);
}
