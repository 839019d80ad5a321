using System.Globalization;
using System.Text;
using Situk.Bench.Load.Report;

namespace Situk.Bench.Load.Cluster;

/// <summary>
/// The <c>cluster</c> run as a Markdown section labelled <c>cluster:LABEL</c>: every figure for the single node
/// and the cluster side by side, as the median of the runs with their range, the knee tables, and the charts.
/// </summary>
internal static class ClusterReport
{
    /// <summary>Goals (reported, never asserted).</summary>
    private const double OneToOneP99GoalMs = 3;
    private const double RestP50GoalMs = 5;
    private const double RestP99GoalMs = 25;
    private const int GoalRate = 1000;

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static void Write(string path, ClusterOptions options, IReadOnlyList<ClusterRun> runs, string machine)
    {
        ClusterCharts.Write(ReportFile.ChartFolderBeside(path), options.Label, runs);
        ReportFile.WriteSection(path, "cluster", options.Label, Section(options, runs, machine, "benchmarks"));
    }

    public static string Section(ClusterOptions options, IReadOnlyList<ClusterRun> runs, string machine, string? chartFolder)
    {
        var s = new StringBuilder();
        var single = runs.Select(r => r.Single).ToArray();
        var cluster = runs.Select(r => r.Cluster).ToArray();
        s.AppendLine(C, $"#### Run `{options.Label}` — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        s.AppendLine();
        s.AppendLine(C, $"`{options.CommandLine}`  ");
        s.AppendLine(C, $"Machine: {machine}. Everything on loopback and on the same two cores: nats-server, the brokers, " +
            $"{options.Agents} load processes holding the devices, and for REST PostgreSQL and the API instances. " +
            $"{runs.Count} runs; each cell is the median of the runs and, in brackets, their range. Single node: one broker, " +
            $"{options.Devices / options.Brokers:N0} devices (one broker's share), the internal socket. Cluster: nats-server, " +
            $"{options.Brokers} brokers, {options.Devices:N0} devices (device i on broker i mod {options.Brokers}), publishes on NATS as an API instance sends them.");
        s.AppendLine();
        s.AppendLine("| figure | single node | cluster | goal (cluster) |");
        s.AppendLine("|---|---:|---:|---|");
        Row(s, "devices held / asked (fewest held in a run)", single, cluster,
            x => $"{x.Min(r => r.HeldAtEnd):N0} / {x[0].Asked:N0}",
            Verdict(cluster.All(r => r.HeldAtEnd >= 54_000 && r.BrokersAlive && r.Losses == 0), "≥ 54,000 held, no crash, no loss"));
        Row(s, "refused at connect; closed by a broker", single, cluster,
            x => $"{Sum(x, r => r.Refused.Values.Sum())}; {Sum(x, r => r.Closed.Values.Sum())}", "");
        Row(s, "connect phase (s, ramp " + options.RampPerSecond.ToString("N0", C) + "/s)", single, cluster, x => Spread(x.Select(r => r.ConnectSeconds), "0.0"), "");
        s.AppendLine(C, $"| every broker listens on every user's subject, after the last connect (s) | — | {Spread(cluster.Select(r => r.FollowLagSeconds), "0.0")} | |");
        Row(s, "brokers alive at the end", single, cluster, x => x.All(r => r.BrokersAlive) ? "yes" : "**no**", "");
        Row(s, "**broker RSS per device (KiB)**", single, cluster, x => Spread(x.Select(r => r.RssPerDevice / 1024), "0.00"), "");
        Row(s, "brokers' RSS idle → connected → peak (MiB, all brokers)", single, cluster,
            x => $"{Mib(x.Select(r => r.RssIdle))} → {Mib(x.Select(r => r.RssConnected))} → {Mib(x.Select(r => r.RssPeak))}", "");
        Row(s, $"**broadcast: last device has one 64 B notification (ms, median of {options.Probes} probes)**", single, cluster,
            x => Spread(x.Select(r => r.ProbeMedianMs), "0"), "");
        Row(s, "broadcast: deliveries received / owed (all runs)", single, cluster, x => $"{x.Sum(r => r.ProbeReceived):N0} / {x.Sum(r => r.ProbeExpected):N0}", "");
        if (Array.IndexOf(options.OneToOneRates, GoalRate) >= 0)
        {
            Row(s, $"**one-to-one at {GoalRate:N0}/s, publish → device p50 / p99 (ms)**", single, cluster,
                x => $"{Spread(x.Select(r => At(r, GoalRate).P50Ms), "0.00")} / {Spread(x.Select(r => At(r, GoalRate).P99Ms), "0.00")}",
                Verdict(cluster.Select(r => At(r, GoalRate).P99Ms).Max() <= OneToOneP99GoalMs, $"p99 ≤ {OneToOneP99GoalMs} ms in every run"));
        }

        var restSingle = runs.Select(r => r.RestSingle).ToArray();
        var restCluster = runs.Select(r => r.RestCluster).ToArray();
        foreach (var rate in options.RestRates)
        {
            var p50 = restCluster.Select(r => RestAt(r, rate).P50Ms).ToArray();
            var p99 = restCluster.Select(r => RestAt(r, rate).P99Ms).ToArray();
            s.AppendLine(C, $"| **REST commit → device at {rate}/s, {options.RestDevices:N0} devices, p50 / p99 (ms)** | " +
                $"{Spread(restSingle.Select(r => RestAt(r, rate).P50Ms), "0.00")} / {Spread(restSingle.Select(r => RestAt(r, rate).P99Ms), "0.0")} | " +
                $"{Spread(p50, "0.00")} / {Spread(p99, "0.0")} | " +
                $"{Verdict(p50.Max() <= RestP50GoalMs && p99.Max() <= RestP99GoalMs, $"p50 ≤ {RestP50GoalMs} ms, p99 ≤ {RestP99GoalMs} ms in every run")} |");
        }

        s.AppendLine(C, $"| nats-server CPU, % of one core: connect / broadcasts / one-to-one {GoalRate:N0}/s | — | " +
            $"{Spread(cluster.Select(r => Cpu(r.Nats, "connect")), "0")} / {Spread(cluster.Select(r => Cpu(r.Nats, "broadcast")), "0")} / {Spread(cluster.Select(r => Cpu(r.Nats, $"one-to-one {GoalRate}/s")), "0")} | |");
        s.AppendLine(C, $"| nats-server RSS idle → connected → peak (MiB) | — | " +
            $"{Mib(cluster.Select(r => r.Nats?.RssIdle ?? 0))} → {Mib(cluster.Select(r => r.Nats?.RssConnected ?? 0))} → {Mib(cluster.Select(r => r.Nats?.RssPeak ?? 0))} | |");
        Row(s, $"brokers' CPU, % of one core: connect / broadcasts / one-to-one {GoalRate:N0}/s", single, cluster,
            x => $"{Spread(x.Select(r => Cpu(r.BrokerCost, "connect")), "0")} / {Spread(x.Select(r => Cpu(r.BrokerCost, "broadcast")), "0")} / {Spread(x.Select(r => Cpu(r.BrokerCost, $"one-to-one {GoalRate}/s")), "0")}", "");
        var restLoss = (IEnumerable<RestResult> x) => x.Sum(r => r.Rates.Sum(a => a.Sent - a.Received + a.Refused));
        s.AppendLine(C, $"| **losses, all runs** (broadcast + one-to-one + REST lost or refused) | {single.Sum(r => r.Losses) + restLoss(restSingle):N0} | " +
            $"{cluster.Sum(r => r.Losses) + restLoss(restCluster):N0} | {Verdict(cluster.Sum(r => r.Losses) + restLoss(restCluster) == 0, "zero")} |");
        s.AppendLine();

        KneeTable(s, "One-to-one publish → device by rate (ms: p50 / p99, median of the runs [range]; the knee is where p99 leaves the flat part):",
            options.OneToOneRates, rate => [.. single.Select(r => At(r, rate))], rate => [.. cluster.Select(r => At(r, rate))]);
        KneeTable(s, "REST commit → device by rate (ms: p50 / p99, median of the runs [range]):",
            options.RestRates, rate => [.. restSingle.Select(r => RestAt(r, rate))], rate => [.. restCluster.Select(r => RestAt(r, rate))]);
        s.AppendLine("nats-server CPU by phase, cluster (% of one core, median [range]):");
        s.AppendLine();
        s.AppendLine("| phase | nats-server | all brokers |");
        s.AppendLine("|---|---:|---:|");
        foreach (var phase in cluster[0].BrokerCost.CpuPercent.Keys)
        {
            s.AppendLine(C, $"| {phase} | {Spread(cluster.Select(r => Cpu(r.Nats, phase)), "0")} | {Spread(cluster.Select(r => Cpu(r.BrokerCost, phase)), "0")} |");
        }

        s.AppendLine();
        s.AppendLine("Broadcast probes, each run (ms to the last device):");
        s.AppendLine();
        s.AppendLine("| run | single node | cluster |");
        s.AppendLine("|---:|---|---|");
        for (var i = 0; i < runs.Count; i++)
        {
            s.AppendLine(C, $"| {i + 1} | {string.Join(" ", single[i].ProbeMs.Select(v => v.ToString("0", C)))} | {string.Join(" ", cluster[i].ProbeMs.Select(v => v.ToString("0", C)))} |");
        }

        s.AppendLine();
        if (chartFolder is not null)
        {
            foreach (var (file, title) in ClusterCharts.Files)
            {
                s.AppendLine(C, $"![{title}]({chartFolder}/{options.Label}-{file}.png)");
            }

            s.AppendLine();
        }

        return s.ToString();
    }

    /// <summary>p50 and p99 by rate for both setups, and what the cluster received of what was sent, over all runs.</summary>
    private static void KneeTable(StringBuilder s, string title, int[] rates, Func<int, IRatePoint[]> single, Func<int, IRatePoint[]> cluster)
    {
        s.AppendLine(title);
        s.AppendLine();
        s.AppendLine("| rate | single node p50 | p99 | cluster p50 | p99 | received / sent, cluster (all runs) |");
        s.AppendLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var rate in rates)
        {
            var (one, many) = (single(rate), cluster(rate));
            s.AppendLine(C, $"| {rate:N0}/s | {Spread(one.Select(p => p.P50Ms), "0.00")} | {Spread(one.Select(p => p.P99Ms), "0.00")} | " +
                $"{Spread(many.Select(p => p.P50Ms), "0.00")} | {Spread(many.Select(p => p.P99Ms), "0.00")} | " +
                $"{many.Sum(p => p.Received):N0} / {many.Sum(p => (long)p.Sent):N0} |");
        }

        s.AppendLine();
    }

    public static OneToOneResult At(SetupResult r, int rate) => r.OneToOne.First(o => o.Rate == rate);

    public static RestRateResult RestAt(RestResult r, int rate) => r.Rates.First(o => o.Rate == rate);

    /// <summary>"median [min–max]", or the one value of a single run.</summary>
    public static string Spread(IEnumerable<double> values, string format) => MedianRange.Cell(values, format);

    private static double Cpu(ProcessCost? cost, string phase) => cost?.CpuPercent.GetValueOrDefault(phase, double.NaN) ?? double.NaN;

    private static string Mib(IEnumerable<long> bytes) => Spread(bytes.Select(b => b / 1048576.0), "0");

    private static string Sum(SetupResult[] x, Func<SetupResult, int> of) => x.Sum(of).ToString("N0", C);

    private static string Verdict(bool met, string goal) => met ? $"{goal}: **met**" : $"{goal}: **missed**";

    private static void Row(StringBuilder s, string name, SetupResult[] single, SetupResult[] cluster, Func<SetupResult[], string> cell, string goal) =>
        s.AppendLine(C, $"| {name} | {cell(single)} | {cell(cluster)} | {goal} |");
}
