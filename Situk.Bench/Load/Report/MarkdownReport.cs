using System.Globalization;
using System.Text;
using HdrHistogram;
using Situk.Bench.Floor;

namespace Situk.Bench.Load.Report;

/// <summary>
/// The report of one run as a Markdown section labelled <c>load:LABEL</c> (see <see cref="ReportFile"/>),
/// with its charts in a <c>benchmarks</c> folder beside the report file.
/// </summary>
internal static class MarkdownReport
{
    public static void Write(string path, LoadOptions options, IReadOnlyList<TargetResult[]> runs, string machine)
    {
        Charts.Write(ReportFile.ChartFolderBeside(path), options.Label, runs[^1]);
        ReportFile.WriteSection(path, "load", options.Label, Section(options, runs, machine, "benchmarks"));
    }

    /// <summary>
    /// The section of <paramref name="runs"/> (each run: one result per target, in the targets' order). With one run
    /// each cell is that run's figure; with several, numeric cells are "median [min–max]" over the runs, ratio cells the
    /// ratio of the medians [each run's own ratio, min–max], counts are summed and other text is each run's, in order.
    /// The breakdowns and charts are the last run's.
    /// </summary>
    public static string Section(LoadOptions options, IReadOnlyList<TargetResult[]> runs, string machine, string? chartFolder)
    {
        var s = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        var results = runs[^1];
        s.AppendLine(c, $"#### Run `{options.Label}` — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        s.AppendLine();
        s.AppendLine(c, $"`{options.CommandLine}`  ");
        var spread = runs.Count > 1
            ? $" {runs.Count} runs, each with fresh server processes (the servers in turn within a run): a figure is the median of the runs [min–max], a ratio the ratio of the medians [each run's own ratio, min–max], counts are summed over the runs; the breakdowns and charts are the last run's."
            : "";
        var restart = options.Restart
            ? " Each server was first given the whole fleet and the probes, then killed and started again: the figures are the restarted server's, under a load generator already warm (`--restart on`)."
            : "";
        s.AppendLine(c, $"Machine: {machine}. Server and devices in separate processes on loopback; pattern `{options.Pattern}`, " +
            $"{options.Count} broadcasts of {string.Join(" / ", options.PayloadBytes.Select(Bytes))}, classes {string.Join(", ", options.Classes.Select(k => $"{k.Class}:{k.Weight}"))}, " +
            $"bandwidth {string.Join(" / ", options.BandwidthKbit.Select(Kbit))}, ramp {options.RampPerSecond}/s.{restart}{spread}");
        s.AppendLine();

        var table = new RunTable(s, runs);
        s.AppendLine("| | " + string.Join(" | ", results.Select(r => r.Target)) + " |" + string.Concat(table.Against.Select(o => $" situk / {results[o].Target} |")));
        s.AppendLine("|---|" + string.Concat(results.Select(_ => "---:|")) + string.Concat(table.Against.Select(_ => "---:|")));
        table.Text("devices asked / connected", r => $"{r.Asked:N0} / {r.Connected:N0}");
        table.Text("refused (HTTP status or error)", r => r.Refused.Count == 0 ? "none" : string.Join(", ", r.Refused.Select(kv => $"{kv.Key}: {kv.Value:N0}")));
        table.Number("connect phase (s)", r => r.ConnectSeconds, "0.0", ratio: false);
        table.Numbers("server healthy / every device served, s after its process started", "0.0", r => r.HealthySeconds, r => r.ServedSeconds);
        table.Numbers("server RSS idle → connected → peak (MiB)", "0", r => r.RssIdle / 1048576.0, r => r.RssConnected / 1048576.0, r => r.RssPeak / 1048576.0);
        table.Number("**server RSS per connection (KiB)**", r => r.RssPerConnection / 1024, "0.00");
        if (options.SilentProbes > 0)
        {
            table.Number($"**last device receives one 64 B broadcast, devices not acking (ms, median of {options.SilentProbes})**", r => r.SilentProbeMedianMs, "0.0");
            table.Text("silent probes: each (ms)", r => r.SilentProbes is { } b ? Each(b) : "—");
            table.Number("server CPU per broadcast, devices not acking (ms)", r => r.CpuPerSilentProbeMs, "0.0");
        }

        table.Number($"**last device receives one 64 B broadcast{(options.SilentProbes > 0 ? ", devices acking" : "")} (ms, median of {options.Probes})**", r => r.ProbeMedianMs, "0.0");
        table.Text("probes: each (ms)", r => Each(r.Probes));
        table.Sum("probes: received / expected", r => r.Probes.Received, r => r.Probes.Expected);
        table.Number("server CPU per broadcast, probes (ms)", r => r.CpuPerProbeMs, "0.0");
        table.Number("first broadcast after start, to the last device (ms)", r => r.FirstBroadcastMs, "0.0");
        table.Text("pattern: broadcasts published", r => r.Pattern.Published.ToString(c));
        table.Sum("pattern: deliveries received / expected", r => r.Pattern.Received, r => r.Pattern.Expected);
        table.Sum("pattern: losses (expected − received)", r => r.Pattern.Expected - r.Pattern.Received);
        table.Number("pattern: deliveries per second", r => r.Pattern.DeliveriesPerSecond(), "N0");
        table.Text("pattern: delay p50 / p90 / p99 / max (ms)", r => Percentiles(r.Pattern.All));
        table.Number("pattern: server CPU per broadcast (ms)", r => r.CpuPerPatternMs, "0.0");
        if (options.Publishes > 0)
        {
            var rate = options.PublishRate.ToString("N0", c);
            table.Text($"one-to-one publishes at {rate}/s (`POST /admin/publish`; baselines `POST /publish`): sent / received / failed",
                r => r.Publish is { } p ? $"{p.Sent:N0} / {p.Received:N0} / {(p.Failed.IsEmpty ? "0" : string.Join(", ", p.Failed.Select(kv => $"{kv.Key}: {kv.Value:N0}")))}" : "—");
            table.Text("publish call p50 / p90 / p99 / max (ms)", r => r.Publish is { } p ? Percentiles(p.Calls) : "—");
            table.Number("**publish call p99 (ms)**", r => P99Ms(r.Publish?.Calls), "0.00");
            table.Text("publish → device p50 / p90 / p99 / max (ms)", r => r.Publish is { } p ? Percentiles(p.Delays) : "—");
            table.Number("**publish → device p99 (ms)**", r => P99Ms(r.Publish?.Delays), "0.00");
            table.Number("**server CPU per publish (ms)**", r => r.CpuPerPublishMs, "0.000");
        }

        table.Text("device sockets closed by the server (code: n)", r => r.Closed.Count == 0 ? "none" : string.Join(", ", r.Closed.Select(kv => $"{kv.Key}: {kv.Value:N0}")));
        table.Text("sockets held at the end / server alive", r => $"{r.HeldAtEnd:N0} / {(r.Survived ? "yes" : "**no**")}");
        s.AppendLine();
        Goals(s, options, runs);

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

    /// <summary>The floor goals this run measures (G1–G4, G7), as in the floor table (docs/benchmarks.md, "Performance at the floor").</summary>
    private static void Goals(StringBuilder s, LoadOptions options, IReadOnlyList<TargetResult[]> runs)
    {
        List<Goal> goals =
        [
            .. FloorGoals.Broadcast(runs),
            .. options.Publishes > 0 ? FloorGoals.Publish(runs, options.PublishRate) : [],
            .. FloorGoals.Memory(runs),
            FloorGoals.Loss([("every server, every run", FloorGoals.Lost(runs))]),
        ];
        s.AppendLine("Goals this run measures (reported, never asserted; every goal and the runs that measure it at its size: the floor table, `Situk.Bench floor`):");
        s.AppendLine();
        GoalTable.Append(s, goals, withCommand: false);
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

    private static double P99Ms(LongHistogram? h) => h is { TotalCount: > 0 } ? h.GetValueAtPercentile(99) / 1000.0 : double.NaN;

    public static string Percentiles(LongHistogram h) => h.TotalCount == 0 ? "—" : string.Create(CultureInfo.InvariantCulture,
        $"{Ms(h.GetValueAtPercentile(50))} / {Ms(h.GetValueAtPercentile(90))} / {Ms(h.GetValueAtPercentile(99))} / {Ms(h.GetMaxValue())}");

    private static string Ms(long micros) => (micros / 1000.0).ToString(micros < 10_000 ? "0.00" : "0", CultureInfo.InvariantCulture);

    private static string Each(DelayBook book) =>
        string.Join(" ", Enumerable.Range(0, book.Published).Select(i => book.LastDeviceMs(i).ToString("0.0", CultureInfo.InvariantCulture)));

    public static string Bytes(int bytes) => bytes >= 1024 ? $"{bytes / 1024} KiB" : $"{bytes} B";

    public static string Kbit(int kbit) => kbit == 0 ? "unthrottled" : $"{kbit} kbit/s";
}
