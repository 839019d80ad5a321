using ScottPlot;

namespace Situk.Bench.Load.Cluster;

/// <summary>
/// The cluster section's PNG charts (ScottPlot, as the load report's): p50 and p99 against rate for one-to-one
/// publishes and for REST (the knee), and each broadcast probe's time to the last device, single node against cluster.
/// Each rate's point is the median of the runs; the runs themselves are drawn as small markers.
/// </summary>
internal static class ClusterCharts
{
    public static readonly (string File, string Title)[] Files =
    [
        ("one-to-one", "One-to-one publish → device by rate"),
        ("rest", "REST commit → device by rate"),
        ("broadcast", "Broadcast: last device has it"),
    ];

    public static void Write(string folder, string label, IReadOnlyList<ClusterRun> runs)
    {
        var rates = runs[0].Single.OneToOne.Select(o => o.Rate).ToArray();
        Knee(Path.Combine(folder, $"{label}-one-to-one.png"), "One-to-one publish → device (1 broker vs cluster on NATS)", rates,
        [
            ("single p50", runs.Select(r => r.Single.OneToOne.Select(o => o.P50Ms).ToArray()).ToArray()),
            ("single p99", runs.Select(r => r.Single.OneToOne.Select(o => o.P99Ms).ToArray()).ToArray()),
            ("cluster p50", runs.Select(r => r.Cluster.OneToOne.Select(o => o.P50Ms).ToArray()).ToArray()),
            ("cluster p99", runs.Select(r => r.Cluster.OneToOne.Select(o => o.P99Ms).ToArray()).ToArray()),
        ], "publishes per second");
        var restRates = runs[0].RestSingle.Rates.Select(o => o.Rate).ToArray();
        Knee(Path.Combine(folder, $"{label}-rest.png"), "REST commit → device (1 broker + 1 API vs cluster)", restRates,
        [
            ("single p50", runs.Select(r => r.RestSingle.Rates.Select(o => o.P50Ms).ToArray()).ToArray()),
            ("single p99", runs.Select(r => r.RestSingle.Rates.Select(o => o.P99Ms).ToArray()).ToArray()),
            ("cluster p50", runs.Select(r => r.RestCluster.Rates.Select(o => o.P50Ms).ToArray()).ToArray()),
            ("cluster p99", runs.Select(r => r.RestCluster.Rates.Select(o => o.P99Ms).ToArray()).ToArray()),
        ], "REST calls per second");
        Broadcast(Path.Combine(folder, $"{label}-broadcast.png"), runs);
    }

    internal static void Knee(string path, string title, int[] rates, (string Name, double[][] Runs)[] series, string xLabel)
    {
        var plot = new Plot();
        var xs = rates.Select(r => (double)r).ToArray();
        for (var s = 0; s < series.Length; s++)
        {
            var color = new ScottPlot.Palettes.Category10().GetColor(s);
            var medians = Enumerable.Range(0, rates.Length).Select(i => Log(SetupResult.Median(series[s].Runs.Select(r => r[i])))).ToArray();
            var line = plot.Add.ScatterLine(xs, medians);
            line.LegendText = series[s].Name;
            line.Color = color;
            line.LineWidth = 2;
            line.LinePattern = series[s].Name.EndsWith("p50", StringComparison.Ordinal) ? LinePattern.Dashed : LinePattern.Solid;
            foreach (var run in series[s].Runs)
            {
                var dots = plot.Add.ScatterPoints(xs, run.Select(Log).ToArray());
                dots.Color = color.WithAlpha(0.6);
                dots.MarkerSize = 5;
            }
        }

        // Log scale: a knee spans 0.3 ms to seconds.
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => Math.Pow(10, y).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture),
        };
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(xs, [.. rates.Select(r => r.ToString("N0", System.Globalization.CultureInfo.InvariantCulture))]);
        plot.ShowLegend(Alignment.UpperLeft);
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel("delay (ms, log); line: median, dot: one run");
        plot.SavePng(path, 900, 500);
    }

    private static double Log(double ms) => Math.Log10(Math.Max(ms, 0.01));

    private static void Broadcast(string path, IReadOnlyList<ClusterRun> runs)
    {
        var plot = new Plot();
        var bars = new List<Bar>();
        var palette = new ScottPlot.Palettes.Category10();
        for (var r = 0; r < runs.Count; r++)
        {
            bars.Add(new Bar { Position = (r * 3) + 0, Value = runs[r].Single.ProbeMedianMs, FillColor = palette.GetColor(0) });
            bars.Add(new Bar { Position = (r * 3) + 1, Value = runs[r].Cluster.ProbeMedianMs, FillColor = palette.GetColor(1) });
        }

        plot.Add.Bars(bars);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. Enumerable.Range(0, runs.Count).Select(r => (r * 3) + 0.5)], [.. Enumerable.Range(1, runs.Count).Select(r => $"run {r}")]);
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"single node, {runs[0].Single.Connected:N0} devices", FillColor = palette.GetColor(0) });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"cluster, {runs[0].Cluster.Connected:N0} devices", FillColor = palette.GetColor(1) });
        plot.ShowLegend(Alignment.UpperLeft);
        plot.Axes.Margins(bottom: 0);
        plot.Title("64 B broadcast: time until the last device has it (median of the probes)");
        plot.YLabel("ms");
        plot.SavePng(path, 900, 500);
    }
}
