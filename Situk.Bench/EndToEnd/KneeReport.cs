using System.Globalization;
using System.Text;
using Situk.Bench.Load.Cluster;
using Situk.Bench.Load.Report;

namespace Situk.Bench.EndToEnd;

/// <summary>
/// The <c>knee</c> runs as a Markdown section (each cell the median of the runs that reached the rate and, in
/// brackets, their range) and one chart: p50 and p99 against the rate, log scale, a dot per run.
/// </summary>
internal static class KneeReport
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static string Section(KneeOptions options, IReadOnlyList<KneeRun> runs, IReadOnlyList<double> load, string machine)
    {
        var s = new StringBuilder();
        var lost = runs.Sum(r => r.Points.Sum(p => p.Sent - p.Received));
        var refused = runs.Sum(r => r.Points.Sum(p => p.Refused));
        s.AppendLine(C, $"#### Run `{options.Label}` — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        s.AppendLine();
        s.AppendLine(C, $"`{options.CommandLine}`  ");
        s.AppendLine(C, $"Machine: {machine}. PostgreSQL, one broker and one API instance as child processes, {runs.Min(r => r.Devices):N0} devices (acking) and the REST load in the bench process, all on loopback and on the same cores. {runs.Count} runs, each on a fresh system; load average (1 min) before each run and at the end: {string.Join(", ", load.Select(l => l.ToString("0.0", C)))}. Each rate holds for {options.Seconds} s; its CPU is read from `/proc` before the first call and after the last notification arrived. Lost: {lost:N0}; refused: {refused:N0}.");
        s.AppendLine();
        var bare = runs.Any(r => r.Points.Any(p => p.Bare is not null));
        if (bare)
        {
            s.AppendLine("The bare columns: after each run's rates, a bare ASP.NET Core endpoint (`baseline-rest`: JSON body, one `INSERT … RETURNING`, no authentication, outbox or push; the API's GC and thread-pool settings) held at the same rates on the same machine state, warmed up as the API was. Its CPU per call is the floor under the API's CPU per notification here. The bare-with-push columns: the same endpoint, started again, also publishing what it stored to the user's devices over the broker's internal socket and awaiting the broker's answer before its `202` (no queue, receipts or retries), timed from the insert to the device as the API is: the floor under a notification that is stored and pushed.");
            s.AppendLine();
        }

        s.AppendLine("| rate (/s) | runs | REST commit → device p50 (ms) | p99 (ms) | the call itself, p99 (ms) | API CPU per notification (ms) | API (cores) | broker CPU per notification (ms) | PostgreSQL CPU per notification (ms) | received / sent (duplicates) |" +
            (bare ? " bare endpoint: CPU per call (ms) | its call p99 (ms) | its PostgreSQL CPU per call (ms) | API / bare, CPU |" +
                     " bare with push: CPU per call (ms) | its stored → device p99 (ms) | API / bare with push, CPU |" : ""));
        s.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|" + (bare ? "---:|---:|---:|---:|---:|---:|---:|" : ""));
        foreach (var rate in options.Rates)
        {
            var points = runs.SelectMany(r => r.Points.Where(p => p.Rate == rate)).ToList();
            if (points.Count == 0)
            {
                s.AppendLine(C, $"| {rate:N0} | 0 | not reached: every run was past the knee below | | | | | | | |");
                continue;
            }

            s.AppendLine(C,
                $"| {rate:N0} | {points.Count} | {Cell(points, p => p.P50Ms)} | {Cell(points, p => p.P99Ms)} | {Cell(points, p => p.CallP99Ms)} | " +
                $"{Cell(points, p => p.ApiMsPer, "0.00")} | {Cell(points, p => p.ApiCores, "0.00")} | {Cell(points, p => p.BrokerMsPer, "0.00")} | {Cell(points, p => p.PostgresMsPer, "0.00")} | " +
                $"{points.Sum(p => p.Received):N0} / {points.Sum(p => p.Sent):N0} ({points.Sum(p => p.Duplicates):N0}) |{(bare ? BareCells(points) : "")}");
        }

        s.AppendLine();
        s.AppendLine(C, $"![REST commit → device by rate](benchmarks/{options.Label}.png)");
        s.AppendLine();
        if (runs.LastOrDefault(r => r.Statements.Count > 0) is { } last)
        {
            var notifications = (double)last.Points.Sum(p => p.Sent);
            var total = last.Statements.Sum(q => q.TotalMs + q.PlanMs);
            s.AppendLine(C, $"Where PostgreSQL's planning and execution time went in run {last.Number} (pg_stat_statements over its {notifications:N0} notifications, every rate; the top {last.Statements.Count} statements):");
            s.AppendLine();
            s.AppendLine("| statement | calls per notification | rows per call | planning ms per notification | execution ms per notification | share of the top |");
            s.AppendLine("|---|---:|---:|---:|---:|---:|");
            foreach (var q in last.Statements)
            {
                s.AppendLine(C, $"| `{Shorten(q.Query)}` | {q.Calls / notifications:0.00} | {(q.Calls == 0 ? 0 : q.Rows / (double)q.Calls):0.0} | {q.PlanMs / notifications:0.000} | {q.TotalMs / notifications:0.000} | {(q.TotalMs + q.PlanMs) / total:P0} |");
            }

            s.AppendLine();
        }

        return s.ToString();
    }

    /// <summary>One line, at most 140 characters, no backticks or pipes: a statement in a table cell.</summary>
    private static string Shorten(string query)
    {
        var line = string.Join(' ', query.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries)).Replace('`', '\'').Replace("|", "\\|", StringComparison.Ordinal);
        return line.Length <= 140 ? line : line[..139] + "…";
    }

    public static void WriteChart(string folder, KneeOptions options, IReadOnlyList<KneeRun> runs)
    {
        var rates = options.Rates.ToArray();
        double[] Series(KneeRun run, Func<KneePoint, double> value) =>
            [.. rates.Select(rate => run.Points.FirstOrDefault(p => p.Rate == rate) is { } p ? value(p) : double.NaN)];
        ClusterCharts.Knee(Path.Combine(folder, $"{options.Label}.png"), "REST commit → device by rate (1 broker, 1 API, PostgreSQL)", rates,
        [
            ("p50", runs.Select(r => Series(r, p => p.P50Ms)).ToArray()),
            ("p99", runs.Select(r => Series(r, p => p.P99Ms)).ToArray()),
        ], "REST calls per second");
    }

    private static string BareCells(IReadOnlyList<KneePoint> points)
    {
        var measured = points.Where(p => p.Bare is not null).ToList();
        if (measured.Count == 0)
        {
            return " not measured | | | | not measured | | |";
        }

        double[] api = [.. measured.Select(p => p.ApiMsPer)], floor = [.. measured.Select(p => p.Bare!.MsPer)];
        var refused = measured.Sum(p => p.Bare!.Refused);
        return $" {Cell(measured, p => p.Bare!.MsPer, "0.00")} | {Cell(measured, p => p.Bare!.CallP99Ms)}{(refused > 0 ? $" ({refused:N0} refused)" : "")} | " +
            $"{Cell(measured, p => p.Bare!.PostgresMsPer, "0.00")} | " +
            $"{MedianRange.RatioCell(api, floor)} |" + BarePushCells(points);
    }

    private static string BarePushCells(IReadOnlyList<KneePoint> points)
    {
        var measured = points.Where(p => p.BarePush is not null).ToList();
        if (measured.Count == 0)
        {
            return " not measured | | |";
        }

        double[] api = [.. measured.Select(p => p.ApiMsPer)], floor = [.. measured.Select(p => p.BarePush!.MsPer)];
        var (refused, lost) = (measured.Sum(p => p.BarePush!.Refused), measured.Sum(p => p.BarePush!.Lost));
        return $" {Cell(measured, p => p.BarePush!.MsPer, "0.00")}{(refused + lost > 0 ? $" ({refused:N0} refused, {lost:N0} lost)" : "")} | " +
            $"{Cell(measured, p => p.BarePush!.DeviceP99Ms)} | {MedianRange.RatioCell(api, floor)} |";
    }

    private static string Cell(IReadOnlyList<KneePoint> points, Func<KneePoint, double> value, string format = "0.0") =>
        MedianRange.Cell(points.Select(value), format);
}
