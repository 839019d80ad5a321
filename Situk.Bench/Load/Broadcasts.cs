using System.Diagnostics;
using Situk.Bench.Load.Targets;

namespace Situk.Bench.Load;

/// <summary>
/// The publish phases, each bounded by its own deadline: the 64 B probes timed to the last device, then
/// the pattern — <c>repeat</c> (one broadcast at a time, each drained), <c>burst</c> (all at once, then
/// drained) or <c>steady</c> (<c>--rate</c> per second).
/// </summary>
internal static class Broadcasts
{
    /// <summary>Longest wait for one broadcast (repeat, probes) or for the queues after the last send.</summary>
    private static readonly TimeSpan DrainDeadline = TimeSpan.FromSeconds(30);

    /// <summary>Ids of the pattern start here; silent probes and then probes use 1, 2, … (devices drop an id not above the last one they read).</summary>
    private const long PatternFirstId = 1_000_000;

    /// <summary>64 B broadcasts one at a time, ids from <paramref name="firstId"/>, each timed to the last device.</summary>
    public static async Task<DelayBook> ProbeAsync(DeviceFleet fleet, PublishLink link, int probes, long firstId)
    {
        var book = new DelayBook("probe", firstId, probes);
        fleet.Book = book;
        for (var i = 0; i < probes; i++)
        {
            book.Sending(i, 64, fleet.Open);
            await link.SendAsync(book.IdOf(i), 64, CancellationToken.None);
            await Task.WhenAny(book.Completion(i), Task.Delay(DrainDeadline));
            await Task.Delay(500); // let the acks settle before the next one is timed
        }

        return book;
    }

    public static async Task<DelayBook> PatternAsync(DeviceFleet fleet, PublishLink link, LoadOptions options)
    {
        var count = options.Pattern == "steady" ? Math.Min(options.Count, (int)Math.Ceiling(options.Rate * options.Duration.TotalSeconds)) : options.Count;
        var book = new DelayBook(options.Pattern, PatternFirstId, Math.Max(count, 1));
        fleet.Book = book;
        using var deadline = new CancellationTokenSource(options.Duration);
        var started = Stopwatch.GetTimestamp();
        try
        {
            for (var i = 0; i < count; i++)
            {
                if (options.Pattern == "steady")
                {
                    var due = TimeSpan.FromSeconds(i / options.Rate) - Stopwatch.GetElapsedTime(started);
                    if (due > TimeSpan.Zero)
                    {
                        await Task.Delay(due, deadline.Token);
                    }
                }

                var payload = options.PayloadBytes[i % options.PayloadBytes.Length];
                book.Sending(i, payload, fleet.Open);
                await link.SendAsync(book.IdOf(i), payload, deadline.Token);
                if (options.Pattern == "repeat")
                {
                    await Task.WhenAny(book.Completion(i), Task.Delay(DrainDeadline, deadline.Token));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Deadline: report what was published.
        }

        var all = Task.WhenAll(Enumerable.Range(0, book.Published).Select(book.Completion));
        await Task.WhenAny(all, Task.Delay(DrainDeadline));
        return book;
    }
}
