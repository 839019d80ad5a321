using System.Diagnostics;

namespace Situk.Bench.Load.Cluster;

/// <summary>
/// Reads the brokers' and nats-server's VmRSS once a second for their peaks, and prints one progress line
/// every 5 s (the load agents are not asked: that would cost them time during a measurement).
/// </summary>
internal sealed class PeakSampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _brokersPeak;
    private long _natsPeak;

    public PeakSampler(string setup, IReadOnlyList<ChildProcess> brokers, ChildProcess? nats) =>
        _loop = LoopAsync(setup, brokers, nats);

    public string Phase { get; set; } = "start";

    public long BrokersPeak => Interlocked.Read(ref _brokersPeak);

    public long NatsPeak => Interlocked.Read(ref _natsPeak);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task LoopAsync(string setup, IReadOnlyList<ChildProcess> brokers, ChildProcess? nats)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var tick = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var rss = brokers.Sum(b => b.RssBytes());
                var natsRss = nats?.RssBytes() ?? 0;
                InterlockedMax(ref _brokersPeak, rss);
                InterlockedMax(ref _natsPeak, natsRss);
                if (++tick % 5 == 0)
                {
                    var dead = brokers.Count(b => b.HasExited);
                    Console.WriteLine($"[{setup} {_clock.Elapsed:mm\\:ss}] {Phase,-12} brokers RSS {rss / 1048576.0:0} MiB{(nats is null ? "" : $", nats-server {natsRss / 1048576.0:0} MiB")}{(dead > 0 ? $", {dead} broker(s) EXITED" : "")}");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static void InterlockedMax(ref long field, long value)
    {
        var seen = Interlocked.Read(ref field);
        while (value > seen && Interlocked.CompareExchange(ref field, value, seen) != seen)
        {
            seen = Interlocked.Read(ref field);
        }
    }
}
