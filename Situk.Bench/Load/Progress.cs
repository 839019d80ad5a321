using System.Diagnostics;

namespace Situk.Bench.Load;

/// <summary>One console line a second while a target runs: phase, sockets, deliveries and the server's RSS.</summary>
internal sealed class Progress : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public Progress(string target, DeviceFleet fleet, ChildProcess server)
    {
        _loop = LoopAsync(target, fleet, server);
    }

    public string Phase { get; set; } = "start";

    public long PeakRss { get; private set; }

    private async Task LoopAsync(string target, DeviceFleet fleet, ChildProcess server)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        long lastReceived = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var rss = server.RssBytes();
                PeakRss = Math.Max(PeakRss, rss);
                var book = fleet.Book;
                var received = book?.Received ?? 0;
                var rate = received >= lastReceived ? received - lastReceived : received;
                lastReceived = received;
                var refused = fleet.Refused.Values.Sum();
                Console.WriteLine(
                    $"[{target} {_clock.Elapsed:mm\\:ss}] {Phase,-8} sockets {fleet.Open,6}/{fleet.Attempted,6} (refused {refused}) | " +
                    $"published {book?.Published ?? 0,5} received {received,9} (+{rate}/s) | {server.Name} RSS {rss / 1048576.0:0} MiB{(server.HasExited ? " EXITED" : "")}");
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
