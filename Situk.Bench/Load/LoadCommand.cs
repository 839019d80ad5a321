using System.Diagnostics;
using System.Globalization;
using Situk.Bench.Load.Report;
using Situk.Bench.Load.Targets;

namespace Situk.Bench.Load;

/// <summary>
/// <c>Situk.Bench load …</c>: for each target, start the server as a child process on loopback, open the
/// devices, time 64 B probes to the last device, run the pattern, and report. Every phase has a hard
/// deadline; past it the run moves on with what it has, so the command always ends by itself.
/// </summary>
public static class LoadCommand
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);

    public static async Task<int> RunAsync(string[] args)
    {
        LoadOptions options;
        try
        {
            options = LoadOptions.Parse(args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            await Console.Error.WriteLineAsync(e.Message + Environment.NewLine + Usage);
            return 2;
        }

        Report(options, await MeasureAsync(options));
        return 0;
    }

    /// <summary>
    /// Every run of <paramref name="options"/>: per run, each target in turn with its own fresh server process.
    /// Bounded: each phase of each target has its deadline.
    /// </summary>
    internal static async Task<IReadOnlyList<TargetResult[]>> MeasureAsync(LoadOptions options)
    {
        var runs = new List<TargetResult[]>();
        for (var run = 1; run <= options.Runs; run++)
        {
            var results = new List<TargetResult>();
            foreach (var target in options.Targets)
            {
                Console.WriteLine($"== run {run} of {options.Runs}");
                results.Add(await RunTargetAsync(target, options));
            }

            runs.Add([.. results]);
        }

        return runs;
    }

    /// <summary>Prints the section and, with <c>--report</c>, writes it (and the last run's charts) into the report file.</summary>
    internal static void Report(LoadOptions options, IReadOnlyList<TargetResult[]> runs)
    {
        var machine = MachineInfo.Describe();
        Console.WriteLine();
        Console.WriteLine(MarkdownReport.Section(options, runs, machine, chartFolder: null));
        if (options.ReportPath is { } path)
        {
            MarkdownReport.Write(path, options, runs, machine);
            Console.WriteLine($"Report section '{options.Label}' written to {path}.");
        }
    }

    private static async Task<TargetResult> RunTargetAsync(string name, LoadOptions options)
    {
        Console.WriteLine($"== {name}: {options.Devices} devices, pattern {options.Pattern}, payloads {string.Join(',', options.PayloadBytes)} B");
        await using LoadTarget target = name switch
        {
            "signalr" => new SignalRTarget(),
            "kestrel" => new KestrelTarget(),
            _ => new SitukTarget(),
        };
        if (options.Restart)
        {
            await WarmUpThenKillAsync(name, target, options);
        }

        var launched = Stopwatch.GetTimestamp();
        await target.StartAsync(options);
        var healthy = Stopwatch.GetElapsedTime(launched);
        Console.WriteLine(FormattableString.Invariant($"== {name}: healthy {healthy.TotalMilliseconds:F0} ms after the process started"));
        using var linkTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var link = await target.ConnectPublisherAsync(linkTimeout.Token);
        await using var fleet = DeviceFleet.Create(target, options);
        await using var progress = new Progress(name, fleet, target.Process);

        await Task.Delay(TimeSpan.FromSeconds(1));
        var rssIdle = target.Process.RssBytes();

        progress.Phase = "connect";
        var cpuIdle = target.Process.CpuTime();
        await fleet.ConnectAsync(options, options.Devices, options.RampPerSecond, ConnectDeadline(options));
        var served = Stopwatch.GetElapsedTime(launched);
        // With a ramp above what the fleet's 128 handshakes at once can reach, this is a reconnect storm served from a cold start.
        Console.WriteLine(FormattableString.Invariant(
            $"== {name}: {fleet.Open} devices served {served.TotalSeconds:F2} s after the process started; server CPU for the connects {(target.Process.CpuTime() - cpuIdle).TotalMilliseconds:F0} ms"));

        progress.Phase = "idle";
        await Task.Delay(Settle);
        var rssConnected = target.Process.RssBytes();

        DelayBook? silent = null;
        var cpuSilent = double.NaN;
        if (options.SilentProbes > 0)
        {
            progress.Phase = "silent probe";
            fleet.Acking = false;
            var cpuStart = target.Process.CpuTime();
            silent = await Broadcasts.ProbeAsync(fleet, link, options.SilentProbes, firstId: 1);
            cpuSilent = PerEach(target.Process.CpuTime() - cpuStart, options.SilentProbes);
            fleet.Acking = true;
        }

        progress.Phase = "probe";
        var cpuBefore = target.Process.CpuTime();
        var probes = await Broadcasts.ProbeAsync(fleet, link, options.Probes, firstId: 1 + options.SilentProbes); // devices drop ids not above the last
        var cpuProbes = target.Process.CpuTime();

        progress.Phase = options.Pattern;
        var pattern = await Broadcasts.PatternAsync(fleet, link, options);
        fleet.Book = null;
        var cpuPattern = target.Process.CpuTime();
        // utime + stime of the server over each phase, per broadcast (acks and receipts included): steadier than wall time on a shared machine.
        Console.WriteLine(FormattableString.Invariant(
            $"== {name}: server CPU per broadcast — silent probes {cpuSilent:F1} ms, probes {PerEach(cpuProbes - cpuBefore, options.Probes):F1} ms, pattern {PerEach(cpuPattern - cpuProbes, options.Count):F1} ms"));

        OneToOneBook? publish = null;
        var cpuPublish = double.NaN;
        if (options.Publishes > 0)
        {
            progress.Phase = "publish";
            var cpuStart = TimeSpan.Zero;
            publish = await OneToOnePublishes.RunAsync(target, fleet, options, start =>
            {
                if (start)
                {
                    cpuStart = target.Process.CpuTime();
                }
                else
                {
                    cpuPublish = PerEach(target.Process.CpuTime() - cpuStart, options.Publishes);
                }
            });
            Console.WriteLine(FormattableString.Invariant(
                $"== {name}: {publish.Sent} one-to-one publishes at {options.PublishRate}/s — call {MarkdownReport.Percentiles(publish.Calls)} ms, publish → device {MarkdownReport.Percentiles(publish.Delays)} ms (p50 / p90 / p99 / max), server CPU {cpuPublish:F3} ms per publish"));
        }

        var first = silent ?? probes;
        var result = new TargetResult(name, options.Devices, fleet.Connected, new Dictionary<string, int>(fleet.Refused),
            new Dictionary<string, int>(fleet.Closed), fleet.ConnectSeconds, rssIdle, rssConnected,
            Math.Max(progress.PeakRss, target.Process.RssBytes()), probes, pattern, !target.Process.HasExited, fleet.Open)
        {
            SilentProbes = silent,
            CpuPerSilentProbeMs = cpuSilent,
            CpuPerProbeMs = PerEach(cpuProbes - cpuBefore, options.Probes),
            CpuPerPatternMs = PerEach(cpuPattern - cpuProbes, options.Count),
            FirstBroadcastMs = first.Published > 0 ? first.LastDeviceMs(0) : double.NaN,
            Publish = publish,
            CpuPerPublishMs = cpuPublish,
            HealthySeconds = healthy.TotalSeconds,
            ServedSeconds = served.TotalSeconds,
        };
        Console.WriteLine($"== {name}: done — held {result.HeldAtEnd}/{result.Connected}, server alive: {result.Survived}");
        return result;
    }

    /// <summary>
    /// <c>--restart on</c>: a first server takes the whole fleet and the probes, so the load generator's own connect,
    /// receive and ack code is compiled and warm; then that server is killed. The measured run that follows is a
    /// fresh server under a warm generator's reconnect storm.
    /// </summary>
    private static async Task WarmUpThenKillAsync(string name, LoadTarget target, LoadOptions options)
    {
        await target.StartAsync(options);
        using (var linkTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        await using (var link = await target.ConnectPublisherAsync(linkTimeout.Token))
        await using (var fleet = DeviceFleet.Create(target, options))
        {
            await fleet.ConnectAsync(options, options.Devices, options.RampPerSecond, ConnectDeadline(options));
            var warm = await Broadcasts.ProbeAsync(fleet, link, options.Probes, firstId: 1);
            Console.WriteLine(FormattableString.Invariant(
                $"== {name}: warm-up on a first server: {fleet.Open} devices, probes {string.Join(' ', Enumerable.Range(0, warm.Published).Select(i => warm.LastDeviceMs(i).ToString("F1", CultureInfo.InvariantCulture)))} ms; killing it"));
        }

        await target.KillAsync();
    }

    /// <summary>How long the fleet may take to connect: its ramp, and a minute more.</summary>
    private static TimeSpan ConnectDeadline(LoadOptions options) => TimeSpan.FromSeconds(60 + (options.Devices / (double)options.RampPerSecond));

    private static double PerEach(TimeSpan cpu, int count) => count > 0 ? cpu.TotalMilliseconds / count : double.NaN;

    private const string Usage = """
        load [--devices N] [--pattern repeat|burst|steady] [--rate per-second] [--count messages]
             [--payload bytes,…] [--classes web:50,android:30,ios:20] [--bandwidth-kbit 0,512,1024]
             [--duration 60s] [--target situk|kestrel|signalr|both|all|list] [--report docs/benchmarks.md] [--label NAME]
             [--ramp sockets-per-second] [--probes N] [--silent-probes N] [--publish N] [--publish-rate per-second]
             [--queue-capacity N] [--max-connections N] [--ack-window ms] [--broker-dll path] [--runs N (1–20, default 1)]
             [--restart on|off (warm the fleet on a first server, kill it, measure a restarted one)]
        """;
}
