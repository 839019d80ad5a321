using System.Globalization;
using Situk.Bench.EndToEnd;
using Situk.Bench.Load;
using Situk.Bench.Load.Report;

namespace Situk.Bench.Floor;

/// <summary>
/// The "performance at the floor" goals (docs/benchmarks.md), each computed from the runs that measure it: a
/// figure is the median of the runs, a ratio the ratio of the medians (with each run's own ratio as the range).
/// Each method yields nothing when its runs lack what the goal needs (a target that did not run, no publishes).
/// </summary>
internal static class FloorGoals
{
    /// <summary>G1: last device of a 64 B broadcast with devices not acking, and the server's CPU for it, Situk / bare Kestrel.</summary>
    public const double NotAckingVsKestrel = 0.8;

    /// <summary>G2: the same with every device acking, Situk / SignalR.</summary>
    public const double AckingVsSignalR = 0.5;

    /// <summary>G3: <c>POST /admin/publish</c> at 1,000/s, call p99 and publish → device p99, ms.</summary>
    public const double PublishP99Ms = 2;

    /// <summary>G4: broker RSS per idle device, KiB, at <see cref="RssDevices"/> held.</summary>
    public const double RssPerDeviceKiB = 6;

    public const int RssDevices = 19_000;

    /// <summary>G5: a restarted broker's first broadcast over the median of the later ones.</summary>
    public const double FirstOverSteady = 1.5;

    /// <summary>G6: REST commit → device p99 (ms) at <see cref="RestRate"/>/s with 1,000 devices, and the API's CPU per notification (ms).</summary>
    public const double RestP99Ms = 25;

    public const double ApiCpuMs = 1;

    public const int RestRate = 200;

    public static IEnumerable<Goal> Broadcast(IReadOnlyList<TargetResult[]> runs)
    {
        var situk = Of(runs, "situk");
        var kestrel = Of(runs, "kestrel");
        var signalr = Of(runs, "signalr");
        var devices = situk.Length > 0 ? situk.Min(r => r.Connected).ToString("N0", CultureInfo.InvariantCulture) : "";
        if (situk.Length > 0 && kestrel.Length == situk.Length && situk.Any(r => r.SilentProbes is not null))
        {
            yield return Ratio("G1", $"{devices} devices, 64 B broadcast, devices not acking: last device receives it, Situk / bare Kestrel",
                situk.Select(r => r.SilentProbeMedianMs), kestrel.Select(r => r.SilentProbeMedianMs), " ms", NotAckingVsKestrel, "bare Kestrel's");
            yield return Ratio("G1", "same: server CPU per broadcast, Situk / bare Kestrel",
                situk.Select(r => r.CpuPerSilentProbeMs), kestrel.Select(r => r.CpuPerSilentProbeMs), " ms", NotAckingVsKestrel, "bare Kestrel's");
        }

        if (situk.Length > 0 && signalr.Length == situk.Length && situk.Any(r => r.Probes.Published > 0))
        {
            yield return Ratio("G2", $"{devices} devices, 64 B broadcast, every device acking: last device receives it, Situk / SignalR",
                situk.Select(r => r.ProbeMedianMs), signalr.Select(r => r.ProbeMedianMs), " ms", AckingVsSignalR, "SignalR's");
            if (kestrel.Length == signalr.Length)
            {
                // What this machine allows: the bare loop, which does nothing but send and read, against the same ratio.
                double[] bare = [.. kestrel.Select(r => r.ProbeMedianMs)], other = [.. signalr.Select(r => r.ProbeMedianMs)];
                yield return new Goal("G2", "same: the bare Kestrel loop / SignalR, the same runs (what this machine allows any server)",
                    $"{MedianRange.RatioCell(bare, other)} ({MedianRange.Cell(bare, "0")} vs {MedianRange.Cell(other, "0")} ms)",
                    MedianRange.RatioOfMedians(bare, other), double.PositiveInfinity, "", "0.00");
            }
        }
    }

    public static IEnumerable<Goal> Publish(IReadOnlyList<TargetResult[]> runs, double rate)
    {
        var situk = Of(runs, "situk").Where(r => r.Publish is { Sent: > 0 }).ToArray();
        if (situk.Length == 0)
        {
            yield break;
        }

        var at = rate.ToString("N0", CultureInfo.InvariantCulture);
        var devices = situk.Min(r => r.Connected).ToString("N0", CultureInfo.InvariantCulture);
        yield return Figure("G3", $"`POST /admin/publish` at {at}/s, {devices} devices: the call, p99", situk.Select(r => P99(r.Publish!.Calls)), " ms", "0.00", PublishP99Ms);
        yield return Figure("G3", $"same: publish → device, p99", situk.Select(r => P99(r.Publish!.Delays)), " ms", "0.00", PublishP99Ms);
        yield return Figure("G3", "same: the broker's CPU per publish", situk.Select(r => r.CpuPerPublishMs), " ms", "0.000", double.PositiveInfinity);

        // The floor under G3 on this machine: the bare Kestrel server's own publish route (an HTTP call that finds the
        // socket and sends), under the same load generator in the same runs.
        var bare = Of(runs, "kestrel").Where(r => r.Publish is { Sent: > 0 }).ToArray();
        if (bare.Length > 0)
        {
            yield return Figure("G3", "same: the bare Kestrel route's own publish, the call, p99", bare.Select(r => P99(r.Publish!.Calls)), " ms", "0.00", double.PositiveInfinity);
            yield return Figure("G3", "same: the bare Kestrel route, publish → device, p99", bare.Select(r => P99(r.Publish!.Delays)), " ms", "0.00", double.PositiveInfinity);
            yield return Figure("G3", "same: the bare Kestrel server's CPU per publish", bare.Select(r => r.CpuPerPublishMs), " ms", "0.000", double.PositiveInfinity);
        }
    }

    public static IEnumerable<Goal> Memory(IReadOnlyList<TargetResult[]> runs)
    {
        var situk = Of(runs, "situk");
        if (situk.Length == 0)
        {
            yield break;
        }

        var held = MedianRange.Cell(situk.Select(r => (double)r.Connected), "N0");
        var goal = Figure("G4", $"broker RSS per idle device, at {held} held (the goal: at {RssDevices:N0})",
            situk.Select(r => r.RssPerConnection / 1024), " KiB", "0.00", RssPerDeviceKiB);
        yield return goal;
    }

    public static IEnumerable<Goal> ColdStart(IReadOnlyList<TargetResult[]> runs)
    {
        var situk = Of(runs, "situk").Where(r => r.Probes.Published > 1).ToArray();
        if (situk.Length == 0)
        {
            yield break;
        }

        var first = situk.Select(r => r.FirstBroadcastMs).ToArray();
        var steady = situk.Select(r => r.LaterProbesMedianMs).ToArray();
        yield return new Goal("G5", $"restarted broker, {situk.Min(r => r.Asked):N0} devices reconnecting at once: first broadcast after start / median of the later ones",
            $"{MedianRange.RatioCell(first, steady)} (first {MedianRange.Cell(first, "0")} ms, later {MedianRange.Cell(steady, "0")} ms)",
            MedianRange.RatioOfMedians(first, steady), FirstOverSteady, "", "0.00")
        { TargetText = $"≤ {FirstOverSteady:0.0} × the later ones" };
        yield return new Goal("G5", "same: process start → every device served",
            $"{MedianRange.Cell(situk.Select(r => r.ServedSeconds), "0.0")} s ({MedianRange.Cell(situk.Select(r => (double)r.Connected), "N0")} of {situk[0].Asked:N0} served; healthy after {MedianRange.Cell(situk.Select(r => r.HealthySeconds), "0.0")} s)",
            MedianRange.Median(situk.Select(r => r.ServedSeconds)), double.PositiveInfinity, " s", "0.0");
    }

    public static IEnumerable<Goal> Rest(IReadOnlyList<KneeRun> runs)
    {
        var points = runs.SelectMany(r => r.Points.Where(p => p.Rate == RestRate)).ToArray();
        if (points.Length == 0)
        {
            yield break;
        }

        var devices = runs.Min(r => r.Devices);
        yield return Figure("G6", $"REST commit → device at {RestRate}/s, {devices:N0} devices: p99", points.Select(p => p.P99Ms), " ms", "0.0", RestP99Ms);
        yield return Figure("G6", "same: the API's CPU per notification", points.Select(p => p.ApiMsPer), " ms", "0.00", ApiCpuMs);
        var bare = points.Where(p => p.Bare is not null).ToArray();
        if (bare.Length > 0)
        {
            // The floor under the figure above on this machine: no target of its own.
            double[] api = [.. bare.Select(p => p.ApiMsPer)], floor = [.. bare.Select(p => p.Bare!.MsPer)];
            yield return Figure("G6", $"same: a bare ASP.NET Core endpoint's CPU per call at {RestRate}/s (JSON body, one INSERT, nothing else)",
                floor, " ms", "0.00", double.PositiveInfinity);
            yield return new Goal("G6", "same: the API's CPU per notification / the bare endpoint's per call",
                MedianRange.RatioCell(api, floor), MedianRange.RatioOfMedians(api, floor), double.PositiveInfinity, "", "0.00");
        }

        var pushed = points.Where(p => p.BarePush is not null).ToArray();
        if (pushed.Length > 0)
        {
            // The same endpoint pushing what it stored over the broker's internal socket: the floor under a stored and
            // pushed notification, with its own time to the device.
            double[] api = [.. pushed.Select(p => p.ApiMsPer)], floor = [.. pushed.Select(p => p.BarePush!.MsPer)];
            yield return Figure("G6", $"same: the bare endpoint with one push over the broker's internal socket, CPU per call at {RestRate}/s",
                floor, " ms", "0.00", double.PositiveInfinity);
            yield return Figure("G6", "same: the bare endpoint with push, stored → device p99",
                pushed.Select(p => p.BarePush!.DeviceP99Ms), " ms", "0.0", double.PositiveInfinity);
            yield return new Goal("G6", "same: the API's CPU per notification / the bare endpoint with push's per call",
                MedianRange.RatioCell(api, floor), MedianRange.RatioOfMedians(api, floor), double.PositiveInfinity, "", "0.00");
        }
    }

    /// <summary>G7: every delivery owed in every run arrived (and every REST call was answered).</summary>
    public static Goal Loss(IReadOnlyList<(string Run, long Lost)> runs) =>
        new("G7", "no loss in any run", string.Join("; ", runs.Select(r => $"{r.Run}: {r.Lost:N0}")), runs.Sum(r => r.Lost), 0, " lost", "N0")
        { TargetText = "0 lost" };

    public static long Lost(IReadOnlyList<TargetResult[]> runs) => runs.Sum(r => r.Sum(t => t.Losses));

    public static long Lost(IReadOnlyList<KneeRun> runs) => runs.Sum(r => r.Points.Sum(p => p.Sent - p.Received + p.Refused));

    private static Goal Ratio(string id, string what, IEnumerable<double> situk, IEnumerable<double> other, string unit, double limit, string otherName)
    {
        double[] a = [.. situk], b = [.. other];
        return new Goal(id, what, $"{MedianRange.RatioCell(a, b)} ({MedianRange.Cell(a, "0")} vs {MedianRange.Cell(b, "0")}{unit})",
            MedianRange.RatioOfMedians(a, b), limit, "", "0.00")
        { TargetText = $"≤ {limit:0.0} × {otherName}" };
    }

    private static Goal Figure(string id, string what, IEnumerable<double> values, string unit, string format, double limit)
    {
        double[] v = [.. values];
        return new Goal(id, what, MedianRange.Cell(v, format) + unit, MedianRange.Median(v), limit, unit, format);
    }

    private static double P99(HdrHistogram.LongHistogram h) => h.TotalCount > 0 ? h.GetValueAtPercentile(99) / 1000.0 : double.NaN;

    private static TargetResult[] Of(IReadOnlyList<TargetResult[]> runs, string target) =>
        [.. runs.Select(r => r.FirstOrDefault(t => t.Target == target)).OfType<TargetResult>()];
}
