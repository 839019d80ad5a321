using System.Diagnostics;
using Situk.Bench.Load.Report;
using Situk.Bench.Load.Targets;

namespace Situk.Bench.Load.Soak;

/// <summary>
/// <c>Situk.Bench soak …</c>: the broker as a child process, a fleet of devices of which a fraction keeps
/// leaving and coming back, broadcasts at a steady rate for <c>--duration</c>, and every <c>--sample</c>
/// a reading of the broker's RSS, managed heap, open handles and threads. Exits 1 when a series grows by
/// <see cref="GrowthCheck"/>'s rule, when a device session missed a broadcast it was owed, when the
/// broker closed a device or when the broker died.
/// </summary>
public static class SoakCommand
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);

    public static async Task<int> RunAsync(string[] args)
    {
        SoakOptions options;
        try
        {
            options = SoakOptions.Parse(args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            await Console.Error.WriteLineAsync(e.Message + Environment.NewLine + Usage);
            return 2;
        }

        var book = new SoakBook((int)Math.Ceiling(options.Rate * options.Duration.TotalSeconds) + 16);
        var run = await RunAsync(options, book);
        var section = SoakReport.Section(options, run, MachineInfo.Describe(), chartFolder: null);
        Console.WriteLine();
        Console.WriteLine(section);
        if (options.ReportPath is { } path)
        {
            SoakReport.Write(path, options, run, MachineInfo.Describe());
            Console.WriteLine($"Soak report '{options.Label}' written to {path}.");
        }

        Console.WriteLine(run.Passed ? "SOAK PASSED" : "SOAK FAILED: " + string.Join("; ", run.Failures));
        return run.Passed ? 0 : 1;
    }

    private static async Task<SoakRun> RunAsync(SoakOptions options, SoakBook book)
    {
        Console.WriteLine($"== soak: {options.Devices} devices ({options.Churn:0%} churning), {options.Rate}/s broadcasts, {options.Duration}");
        await using var target = new SitukTarget();
        await target.StartAsync(options.AsLoadOptions());
        using var linkTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var link = await target.ConnectPublisherAsync(linkTimeout.Token);
        using var probe = new BrokerProbe(target);
        var idleRss = probe.Status().RssBytes;
        await using var fleet = new SoakFleet(target, options, book);
        await fleet.StartAsync(TimeSpan.FromSeconds(60 + (options.Devices / (double)options.RampPerSecond)));
        Console.WriteLine($"== soak: {fleet.Open} devices open; steady phase");
        await Task.Delay(Settle);

        using var steady = new CancellationTokenSource(options.Duration);
        var clock = Stopwatch.StartNew();
        var publishing = PublishAsync(link, book, options, steady.Token);
        var samples = await SampleAsync(probe, fleet, book, clock, options.Sample, steady.Token);
        var publishError = await publishing;

        Console.WriteLine("== soak: devices catch up and leave");
        await fleet.StopAsync();
        var alive = !target.Process.HasExited;
        var verdicts = Judge(samples);
        return new SoakRun(samples, verdicts, idleRss, fleet.Sessions, fleet.Churned, fleet.ChurningDevices,
            new Dictionary<string, int>(fleet.RefusedBy), new Dictionary<string, int>(fleet.ClosedByServerWith),
            book.Published, book.Expected, book.Received, book.Lost, book.Duplicates, book.All, alive, publishError);
    }

    /// <summary>Broadcasts at the steady rate until the phase ends; returns why it stopped early, if it did.</summary>
    private static async Task<string?> PublishAsync(PublishLink link, SoakBook book, SoakOptions options, CancellationToken steady)
    {
        await Task.Yield();
        var started = Stopwatch.GetTimestamp();
        try
        {
            for (var i = 0; i < book.Capacity; i++)
            {
                var due = TimeSpan.FromSeconds(i / options.Rate) - Stopwatch.GetElapsedTime(started);
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, steady);
                }

                book.Sending(i);
                await link.SendAsync(SoakBook.FirstId + i, options.PayloadBytes[i % options.PayloadBytes.Length], steady);
            }

            return null;
        }
        catch (OperationCanceledException)
        {
            return null; // the steady phase is over
        }
        catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or IOException or ObjectDisposedException)
        {
            return "the publisher's link to the broker failed: " + e.Message;
        }
    }

    private static async Task<List<SoakSample>> SampleAsync(
        BrokerProbe probe, SoakFleet fleet, SoakBook book, Stopwatch clock, TimeSpan every, CancellationToken steady)
    {
        var samples = new List<SoakSample>();
        using var timer = new PeriodicTimer(every);
        var published = 0;
        long delivered = 0;
        book.TakeInterval();
        try
        {
            while (await timer.WaitForNextTickAsync(steady))
            {
                if (fleet.Target.Process.HasExited)
                {
                    Console.WriteLine("== soak: the broker exited");
                    break;
                }

                var (rss, threads) = probe.Status();
                var handles = probe.Handles();
                var metrics = await probe.MetricsAsync(steady);
                var sample = new SoakSample(clock.Elapsed.TotalSeconds, rss, (long)metrics.GetValueOrDefault("gc_heap_bytes"),
                    (long)metrics.GetValueOrDefault("gc_full_collections"), handles, threads,
                    (long)metrics.GetValueOrDefault("connections"), fleet.Open, (long)metrics.GetValueOrDefault("sheds"),
                    (long)metrics.GetValueOrDefault("drops"), book.Published - published, book.Received - delivered, book.TakeInterval());
                published = book.Published;
                delivered = book.Received;
                samples.Add(sample);
                Console.WriteLine(SoakReport.ConsoleLine(sample));
            }
        }
        catch (OperationCanceledException)
        {
            // The steady phase is over.
        }

        return samples;
    }

    private static GrowthVerdict[] Judge(List<SoakSample> samples)
    {
        var seconds = samples.Select(s => s.Seconds).ToArray();
        double[] Series(Func<SoakSample, double> of) => [.. samples.Select(of)];
        return
        [
            GrowthCheck.All[0].Judge(Series(s => s.RssBytes), seconds),
            JudgeHeap(samples, seconds),
            GrowthCheck.All[2].Judge(Series(s => s.Handles), seconds),
            GrowthCheck.All[3].Judge(Series(s => s.Threads), seconds),
        ];
    }

    /// <summary>
    /// The heap after the last full collection moves only when one happens: with fewer than
    /// <see cref="MinimumFullCollections"/> after warm-up there is nothing to judge (RSS still is).
    /// </summary>
    private static GrowthVerdict JudgeHeap(List<SoakSample> samples, double[] seconds)
    {
        var check = GrowthCheck.All[1];
        var fullAfterWarmUp = samples.Count >= GrowthCheck.MinimumSamples
            ? samples[^1].FullCollections - samples[samples.Count / 3].FullCollections
            : 0;
        return fullAfterWarmUp >= MinimumFullCollections
            ? check.Judge([.. samples.Select(s => (double)s.GcHeapBytes)], seconds)
            : new GrowthVerdict(check, true, double.NaN, double.NaN, double.NaN,
                $"not judged: {fullAfterWarmUp} full collections after warm-up, fewer than {MinimumFullCollections} (the figure changes only at one); RSS covers the heap");
    }

    private const int MinimumFullCollections = 3;

    private const string Usage = """
        soak [--duration 10m] [--devices 1000] [--rate 5] [--churn 0.2] [--dwell 5s-30s] [--payload 64,1024]
             [--sample 5s] [--ramp 500] [--queue-capacity N] [--report docs/soak.md] [--label soak]
        """;
}
