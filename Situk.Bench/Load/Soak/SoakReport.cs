using System.Globalization;
using System.Text;
using HdrHistogram;
using Situk.Bench.Load.Report;

namespace Situk.Bench.Load.Soak;

/// <summary>
/// The soak's Markdown section (between <c>&lt;!-- soak:LABEL:… --&gt;</c> markers in the report file):
/// the command, the machine, the verdict with each rule's numbers, and the readings over time, at most
/// <see cref="MaxRows"/> rows (consecutive samples merged: gauges as at the row's last sample, counts and
/// delays over the whole row).
/// </summary>
internal static class SoakReport
{
    private const int MaxRows = 30;

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static void Write(string path, SoakOptions options, SoakRun run, string machine)
    {
        var full = Path.GetFullPath(path);
        var chartFolder = Path.Combine(Path.GetDirectoryName(full)!, "soak");
        Directory.CreateDirectory(chartFolder);
        SoakCharts.Write(chartFolder, options.Label, run.Samples);
        ReportFile.WriteSection(full, "soak", options.Label, Section(options, run, machine, "soak"));
    }

    public static string Section(SoakOptions options, SoakRun run, string machine, string? chartFolder)
    {
        var s = new StringBuilder();
        s.AppendLine(C, $"#### Soak `{options.Label}` — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Duration(options.Duration)} steady phase");
        s.AppendLine();
        s.AppendLine(C, $"`{options.CommandLine}`  ");
        s.AppendLine(C, $"Machine: {machine}. Broker in a child process, devices in this one, on loopback. {options.Devices:N0} devices, " +
            $"{run.ChurningDevices:N0} of them churning (each stays {Duration(options.DwellMin)}–{Duration(options.DwellMax)}, then leaves — a close " +
            $"handshake or a dropped socket, in turn — and reconnects after 0.2–2 s); {options.Rate.ToString(C)} broadcasts/s of " +
            $"{string.Join(" / ", options.PayloadBytes.Select(MarkdownReport.Bytes))} to all of them; a reading every {Duration(options.Sample)}.");
        s.AppendLine();
        s.AppendLine(run.Passed ? "**Verdict: passed.**" : "**Verdict: FAILED** — " + string.Join("; ", run.Failures) + ".");
        s.AppendLine();
        s.AppendLine("| check | result |");
        s.AppendLine("|---|---|");
        foreach (var v in run.Verdicts)
        {
            s.AppendLine(C, $"| {v.Check.Name} | {(v.Passed ? "bounded" : "**grew**")}: {v.Why} |");
        }

        s.AppendLine(C, $"| deliveries | {run.Received:N0} received; {run.Owed:N0} owed to device sessions (published after their welcome, before they left), **{run.Lost:N0} lost**; {run.Duplicates:N0} duplicates |");
        s.AppendLine(C, $"| broadcasts published | {run.Published:N0}{(run.PublishError is null ? "" : " — " + run.PublishError)} |");
        s.AppendLine(C, $"| device sessions | {run.SessionsOpened:N0} opened, {run.Churned:N0} churned; refused: {Map(run.Refused)}; closed by the broker: {Map(run.ClosedByServer)} |");
        s.AppendLine(C, $"| delivery delay, whole run | {MarkdownReport.Percentiles(run.Delays)} ms (p50 / p90 / p99 / max) |");
        s.AppendLine(C, $"| broker alive at the end | {(run.BrokerAlive ? "yes" : "**no**")}; RSS before any device: {Mib(run.IdleRssBytes)} MiB |");
        s.AppendLine();
        Table(s, run.Samples);
        if (chartFolder is not null)
        {
            s.AppendLine(C, $"![Broker memory over the soak]({chartFolder}/{options.Label}-memory.png)");
            s.AppendLine(C, $"![Broker handles, threads and sessions over the soak]({chartFolder}/{options.Label}-handles.png)");
            s.AppendLine();
        }

        return s.ToString();
    }

    public static string ConsoleLine(SoakSample x) => string.Create(C,
        $"[soak {x.Seconds,6:0}s] RSS {Mib(x.RssBytes),4} MiB, GC heap {Mib(x.GcHeapBytes),4} MiB (full GCs {x.FullCollections}), fds {x.Handles,5}, threads {x.Threads,3}, " +
        $"sessions {x.Connections,5} (devices {x.DevicesOpen,5}) | +{x.Published} published, +{x.Delivered} delivered, delay p50/p99 " +
        $"{Ms(x.Delays, 50)}/{Ms(x.Delays, 99)} ms | sheds {x.Sheds}, drops {x.Drops}");

    private static void Table(StringBuilder s, IReadOnlyList<SoakSample> samples)
    {
        if (samples.Count == 0)
        {
            return;
        }

        var stride = (samples.Count + MaxRows - 1) / MaxRows;
        s.AppendLine(C, $"Readings ({(stride == 1 ? "every sample" : $"every {stride} samples merged")}):");
        s.AppendLine();
        s.AppendLine("| t (s) | RSS (MiB) | GC heap after full GC (MiB) | full GCs | handles | threads | broker sessions | devices open | published | delivered | delay p50 / p99 / max (ms) | sheds | drops |");
        s.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (var from = 0; from < samples.Count; from += stride)
        {
            var row = samples.Skip(from).Take(stride).ToArray();
            var x = row[^1];
            var delays = SoakBook.NewHistogram();
            foreach (var r in row)
            {
                delays.Add(r.Delays);
            }

            s.AppendLine(C, $"| {x.Seconds:0} | {Mib(x.RssBytes)} | {Mib(x.GcHeapBytes)} | {x.FullCollections} | {x.Handles:N0} | {x.Threads} | {x.Connections:N0} | {x.DevicesOpen:N0} | " +
                $"{row.Sum(r => r.Published):N0} | {row.Sum(r => r.Delivered):N0} | {Ms(delays, 50)} / {Ms(delays, 99)} / {(delays.TotalCount == 0 ? "—" : (delays.GetMaxValue() / 1000.0).ToString("0.0", C))} | {x.Sheds:N0} | {x.Drops:N0} |");
        }

        s.AppendLine();
    }

    private static string Map(IReadOnlyDictionary<string, int> counts) =>
        counts.Count == 0 ? "none" : string.Join(", ", counts.Select(kv => $"{kv.Key} × {kv.Value:N0}"));

    private static string Ms(LongHistogram h, double percentile) =>
        h.TotalCount == 0 ? "—" : (h.GetValueAtPercentile(percentile) / 1000.0).ToString("0.0", C);

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("0.0", C);

    private static string Duration(TimeSpan t) =>
        t.TotalMinutes >= 1 && t.Seconds == 0 ? $"{t.TotalMinutes:0} min" : $"{t.TotalSeconds:0.#} s";
}
