using System.Globalization;
using System.Text;
using HdrHistogram;

namespace Situk.Bench.Load.Report;

/// <summary>
/// The report of one run as a Markdown section labelled <c>load:LABEL</c> (see <see cref="ReportFile"/>),
/// with its charts in a <c>benchmarks</c> folder beside the report file.
/// </summary>
internal static class MarkdownReport
{
    /// <summary>Goal: broker RSS per held connection, bytes.</summary>
    public const double RssGoalBytes = 8 * 1024;

    /// <summary>Goal: Situk's last-device time over SignalR's, for one 64 B broadcast.</summary>
    public const double RatioGoal = 0.5;

    public static void Write(string path, LoadOptions options, IReadOnlyList<TargetResult> results, string machine)
    {
        Charts.Write(ReportFile.ChartFolderBeside(path), options.Label, results);
        ReportFile.WriteSection(path, "load", options.Label, Section(options, results, machine, "benchmarks"));
    }

    public static string Section(LoadOptions options, IReadOnlyList<TargetResult> results, string machine, string? chartFolder)
    {
        var s = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        s.AppendLine(c, $"#### Run `{options.Label}` — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        s.AppendLine();
        s.AppendLine(c, $"`{options.CommandLine}`  ");
        s.AppendLine(c, $"Machine: {machine}. Server and devices in separate processes on loopback; pattern `{options.Pattern}`, " +
            $"{options.Count} broadcasts of {string.Join(" / ", options.PayloadBytes.Select(Bytes))}, classes {string.Join(", ", options.Classes.Select(k => $"{k.Class}:{k.Weight}"))}, " +
            $"bandwidth {string.Join(" / ", options.BandwidthKbit.Select(Kbit))}, ramp {options.RampPerSecond}/s.");
        s.AppendLine();

        var against = Against(results);
        s.AppendLine("| | " + string.Join(" | ", results.Select(r => r.Target)) + " |" + string.Concat(against.Select(o => $" situk / {o.Target} |")));
        s.AppendLine("|---|" + string.Concat(results.Select(_ => "---:|")) + string.Concat(against.Select(_ => "---:|")));
        Row(s, results, "devices asked / connected", r => $"{r.Asked:N0} / {r.Connected:N0}");
        Row(s, results, "refused (HTTP status or error)", r => r.Refused.Count == 0 ? "none" : string.Join(", ", r.Refused.Select(kv => $"{kv.Key}: {kv.Value:N0}")));
        Row(s, results, "connect phase (s)", r => r.ConnectSeconds.ToString("0.0", c));
        Row(s, results, "server RSS idle → connected → peak (MiB)", r => $"{Mib(r.RssIdle)} → {Mib(r.RssConnected)} → {Mib(r.RssPeak)}");
        Row(s, results, "**server RSS per connection (KiB)**", r => (r.RssPerConnection / 1024).ToString("0.00", c), r => r.RssPerConnection);
        if (options.SilentProbes > 0)
        {
            Row(s, results, $"**last device receives one 64 B broadcast, devices not acking (ms, median of {options.SilentProbes})**", r => r.SilentProbeMedianMs.ToString("0.0", c), r => r.SilentProbeMedianMs);
            Row(s, results, "silent probes: each (ms)", r => r.SilentProbes is { } b ? string.Join(" ", Enumerable.Range(0, b.Published).Select(i => b.LastDeviceMs(i).ToString("0.0", c))) : "—");
            Row(s, results, "server CPU per broadcast, devices not acking (ms)", r => r.CpuPerSilentProbeMs.ToString("0.0", c), r => r.CpuPerSilentProbeMs);
        }

        Row(s, results, $"**last device receives one 64 B broadcast{(options.SilentProbes > 0 ? ", devices acking" : "")} (ms, median of {options.Probes})**", r => r.ProbeMedianMs.ToString("0.0", c), r => r.ProbeMedianMs);
        Row(s, results, "probes: each (ms)", r => string.Join(" ", Enumerable.Range(0, r.Probes.Published).Select(i => r.Probes.LastDeviceMs(i).ToString("0.0", c))));
        Row(s, results, "probes: received / expected", r => $"{r.Probes.Received:N0} / {r.Probes.Expected:N0}");
        Row(s, results, "server CPU per broadcast, probes (ms)", r => r.CpuPerProbeMs.ToString("0.0", c), r => r.CpuPerProbeMs);
        Row(s, results, "first broadcast after start, to the last device (ms)", r => r.FirstBroadcastMs.ToString("0.0", c), r => r.FirstBroadcastMs);
        Row(s, results, "pattern: broadcasts published", r => r.Pattern.Published.ToString(c));
        Row(s, results, "pattern: deliveries received / expected", r => $"{r.Pattern.Received:N0} / {r.Pattern.Expected:N0}");
        Row(s, results, "pattern: losses (expected − received)", r => (r.Pattern.Expected - r.Pattern.Received).ToString("N0", c));
        Row(s, results, "pattern: deliveries per second", r => r.Pattern.DeliveriesPerSecond().ToString("N0", c), r => r.Pattern.DeliveriesPerSecond());
        Row(s, results, "pattern: delay p50 / p90 / p99 / max (ms)", r => Percentiles(r.Pattern.All));
        Row(s, results, "pattern: server CPU per broadcast (ms)", r => r.CpuPerPatternMs.ToString("0.0", c), r => r.CpuPerPatternMs);
        if (options.Publishes > 0)
        {
            var rate = options.PublishRate.ToString("N0", c);
            Row(s, results, $"one-to-one publishes at {rate}/s (`POST /admin/publish`; baselines `POST /publish`): sent / received / failed",
                r => r.Publish is { } p ? $"{p.Sent:N0} / {p.Received:N0} / {(p.Failed.IsEmpty ? "0" : string.Join(", ", p.Failed.Select(kv => $"{kv.Key}: {kv.Value:N0}")))}" : "—");
            Row(s, results, "publish call p50 / p90 / p99 / max (ms)", r => r.Publish is { } p ? Percentiles(p.Calls) : "—");
            Row(s, results, "**publish call p99 (ms)**", r => P99(r.Publish?.Calls), r => P99Ms(r.Publish?.Calls));
            Row(s, results, "publish → device p50 / p90 / p99 / max (ms)", r => r.Publish is { } p ? Percentiles(p.Delays) : "—");
            Row(s, results, "**publish → device p99 (ms)**", r => P99(r.Publish?.Delays), r => P99Ms(r.Publish?.Delays));
            Row(s, results, "**server CPU per publish (ms)**", r => r.CpuPerPublishMs.ToString("0.000", c), r => r.CpuPerPublishMs);
        }

        Row(s, results, "device sockets closed by the server (code: n)", r => r.Closed.Count == 0 ? "none" : string.Join(", ", r.Closed.Select(kv => $"{kv.Key}: {kv.Value:N0}")));
        Row(s, results, "sockets held at the end / server alive", r => $"{r.HeldAtEnd:N0} / {(r.Survived ? "yes" : "**no**")}");
        s.AppendLine();
        Goals(s, results);

        Breakdown(s, results, "payload size", r => r.Pattern.ByPayload.ToDictionary(kv => Bytes(kv.Key), kv => kv.Value));
        Breakdown(s, results, "bandwidth", r => r.Pattern.ByBandwidth.ToDictionary(kv => Kbit(kv.Key), kv => kv.Value));
        Breakdown(s, results, "device class", r => r.Pattern.ByClass.ToDictionary(kv => kv.Key, kv => kv.Value));

        if (chartFolder is not null)
        {
            foreach (var (file, title) in Charts.Files)
            {
                s.AppendLine(c, $"![{title}]({chartFolder}/{options.Label}-{file}.png)");
            }

            s.AppendLine();
        }

        return s.ToString();
    }

    private static void Goals(StringBuilder s, IReadOnlyList<TargetResult> results)
    {
        var c = CultureInfo.InvariantCulture;
        if (results.FirstOrDefault(r => r.Target == "situk") is not { } situk)
        {
            return;
        }

        var rssMet = situk.RssPerConnection <= RssGoalBytes;
        s.AppendLine(c, $"Goals (reported, never asserted): {situk.Connected:N0} connections held by one broker, " +
            $"{situk.RssPerConnection / 1024:0.00} KiB RSS each — {(rssMet ? "**met**" : "**missed**")} (≤ 8 KiB).");
        if (results.FirstOrDefault(r => r.Target == "signalr") is { } signalr)
        {
            var ratio = situk.ProbeMedianMs / signalr.ProbeMedianMs;
            s.AppendLine(c, $"Last device of {situk.Connected:N0} receives a 64 B broadcast in {situk.ProbeMedianMs:0.0} ms vs SignalR's " +
                $"{signalr.ProbeMedianMs:0.0} ms: ratio {ratio:0.00} — {(ratio <= RatioGoal ? "**met**" : "**missed**")} (≤ 0.5).");
        }

        s.AppendLine();
    }

    private static void Breakdown(StringBuilder s, IReadOnlyList<TargetResult> results, string by, Func<TargetResult, Dictionary<string, LongHistogram>> of)
    {
        var maps = results.Select(of).ToArray();
        var keys = maps.SelectMany(m => m.Keys).Distinct().ToArray();
        if (keys.Length == 0)
        {
            return;
        }

        s.AppendLine(CultureInfo.InvariantCulture, $"Delay by {by}, pattern phase (ms: p50 / p90 / p99 / max, deliveries):");
        s.AppendLine();
        s.AppendLine($"| {by} | " + string.Join(" | ", results.Select(r => r.Target)) + " |");
        s.AppendLine("|---|" + string.Concat(results.Select(_ => "---:|")));
        foreach (var key in keys)
        {
            s.AppendLine($"| {key} | " + string.Join(" | ", maps.Select(m => m.TryGetValue(key, out var h) ? $"{Percentiles(h)} ({h.TotalCount:N0})" : "—")) + " |");
        }

        s.AppendLine();
    }

    private static void Row(StringBuilder s, IReadOnlyList<TargetResult> results, string name, Func<TargetResult, string> cell, Func<TargetResult, double>? ratio = null)
    {
        s.Append(CultureInfo.InvariantCulture, $"| {name} | ").Append(string.Join(" | ", results.Select(cell))).Append(" |");
        var situk = results.FirstOrDefault(r => r.Target == "situk");
        foreach (var other in Against(results))
        {
            s.Append(ratio is null || situk is null ? " |" : $" {Ratio(ratio(situk), ratio(other))} |");
        }

        s.AppendLine();
    }

    /// <summary>The targets Situk is set against, one ratio column each (none without Situk in the run).</summary>
    private static TargetResult[] Against(IReadOnlyList<TargetResult> results) =>
        results.Any(r => r.Target == "situk") ? [.. results.Where(r => r.Target != "situk")] : [];

    /// <summary>"—" when either side is missing or the other is zero (CPU time moves in 10 ms ticks).</summary>
    private static string Ratio(double situk, double other) =>
        double.IsFinite(situk) && double.IsFinite(other) && other > 0 ? (situk / other).ToString("0.00", CultureInfo.InvariantCulture) : "—";

    private static double P99Ms(LongHistogram? h) => h is { TotalCount: > 0 } ? h.GetValueAtPercentile(99) / 1000.0 : double.NaN;

    private static string P99(LongHistogram? h) => h is { TotalCount: > 0 } ? Ms(h.GetValueAtPercentile(99)) : "—";

    public static string Percentiles(LongHistogram h) => h.TotalCount == 0 ? "—" : string.Create(CultureInfo.InvariantCulture,
        $"{Ms(h.GetValueAtPercentile(50))} / {Ms(h.GetValueAtPercentile(90))} / {Ms(h.GetValueAtPercentile(99))} / {Ms(h.GetMaxValue())}");

    private static string Ms(long micros) => (micros / 1000.0).ToString(micros < 10_000 ? "0.00" : "0", CultureInfo.InvariantCulture);

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("0", CultureInfo.InvariantCulture);

    public static string Bytes(int bytes) => bytes >= 1024 ? $"{bytes / 1024} KiB" : $"{bytes} B";

    public static string Kbit(int kbit) => kbit == 0 ? "unthrottled" : $"{kbit} kbit/s";
}
