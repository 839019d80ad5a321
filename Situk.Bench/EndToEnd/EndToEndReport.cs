using System.Globalization;
using System.Text;
using HdrHistogram;
using Situk.Bench.Load.Report;

namespace Situk.Bench.EndToEnd;

/// <summary>The <c>e2e</c> run as a Markdown section: the command, the machine, each path's delays against its goal.</summary>
internal static class EndToEndReport
{
    /// <summary>Goals (reported, never asserted): REST commit → device p50 and p99, publish → device p99, in ms.</summary>
    private const double RestP50GoalMs = 5;
    private const double RestP99GoalMs = 25;
    private const double DirectP99GoalMs = 2;

    public static string Section(
        EndToEndOptions options,
        int connected,
        DelayRecorder rest,
        LongHistogram restCalls,
        int refused,
        DelayRecorder direct,
        string machine)
    {
        var c = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        var losses = rest.Expected - rest.Received + direct.Expected - direct.Received;
        if (losses > 0 || refused > 0)
        {
            s.AppendLine(c, $"**This run lost {losses:N0} notifications and had {refused:N0} REST calls refused.**");
            s.AppendLine();
        }

        s.AppendLine(c, $"#### Run `{options.Label}` — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        s.AppendLine();
        s.AppendLine(c, $"`{options.CommandLine}`  ");
        s.AppendLine(c, $"Machine: {machine}. PostgreSQL, broker and API as child processes, devices and load in the bench process, all on loopback; {connected:N0} devices connected, one candidate each.");
        s.AppendLine();
        s.AppendLine("| path | sent | received (duplicates) | p50 / p90 / p99 / max (ms) | goal |");
        s.AppendLine("|---|---:|---:|---:|---|");
        var restDelays = rest.Snapshot();
        var directDelays = direct.Snapshot();
        s.AppendLine(c, $"| REST commit → device, {options.RestRate:0}/s | {rest.Expected:N0} | {rest.Received:N0} ({rest.Duplicates:N0}) | {MarkdownReport.Percentiles(restDelays)} | p50 ≤ {RestP50GoalMs} ms, p99 ≤ {RestP99GoalMs} ms: {Verdict(restDelays, 50, RestP50GoalMs)}, {Verdict(restDelays, 99, RestP99GoalMs)} |");
        s.AppendLine(c, $"| broker publish → device, one-to-one, {options.DirectRate:0}/s | {direct.Expected:N0} | {direct.Received:N0} ({direct.Duplicates:N0}) | {MarkdownReport.Percentiles(directDelays)} | p99 ≤ {DirectP99GoalMs} ms: {Verdict(directDelays, 99, DirectP99GoalMs)} |");
        s.AppendLine(c, $"| the REST call itself (admin → 202) | {rest.Expected:N0} | {refused:N0} refused | {MarkdownReport.Percentiles(restCalls)} | — |");
        s.AppendLine();
        return s.ToString();
    }

    private static string Verdict(LongHistogram h, double percentile, double goalMs)
    {
        if (h.TotalCount == 0)
        {
            return "no samples";
        }

        var ms = h.GetValueAtPercentile(percentile) / 1000.0;
        return ms <= goalMs
            ? string.Create(CultureInfo.InvariantCulture, $"p{percentile:0} met ({ms:0.00} ms)")
            : string.Create(CultureInfo.InvariantCulture, $"**p{percentile:0} missed by {ms - goalMs:0.00} ms** ({ms / goalMs:0.0}×)");
    }
}
