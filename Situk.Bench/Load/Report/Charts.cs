using HdrHistogram;
using ScottPlot;

namespace Situk.Bench.Load.Report;

/// <summary>The report's PNG charts (ScottPlot): p50 and p99 delay by payload, bandwidth and device class, and the delay CDF.</summary>
internal static class Charts
{
    public static readonly (string File, string Title)[] Files =
    [
        ("payload", "Delay by payload size"),
        ("bandwidth", "Delay by bandwidth"),
        ("class", "Delay by device class"),
        ("cdf", "Delay CDF"),
    ];

    private static readonly double[] CdfPercentiles =
        [.. Enumerable.Range(0, 100).Select(static p => (double)p), 99.5, 99.9, 99.99, 100];

    public static void Write(string folder, string label, IReadOnlyList<TargetResult> results)
    {
        Bars(Path.Combine(folder, $"{label}-payload.png"), "Delay by payload size", results,
            r => r.Pattern.ByPayload.ToDictionary(kv => MarkdownReport.Bytes(kv.Key), kv => kv.Value));
        Bars(Path.Combine(folder, $"{label}-bandwidth.png"), "Delay by device bandwidth", results,
            r => r.Pattern.ByBandwidth.ToDictionary(kv => MarkdownReport.Kbit(kv.Key), kv => kv.Value));
        Bars(Path.Combine(folder, $"{label}-class.png"), "Delay by device class", results,
            r => r.Pattern.ByClass.ToDictionary(kv => kv.Key, kv => kv.Value));
        Cdf(Path.Combine(folder, $"{label}-cdf.png"), results);
    }

    private static void Bars(string path, string title, IReadOnlyList<TargetResult> results, Func<TargetResult, Dictionary<string, LongHistogram>> of)
    {
        var maps = results.Select(of).ToArray();
        var keys = maps.SelectMany(m => m.Keys).Distinct().ToArray();
        var plot = new Plot();
        var series = results.SelectMany(r => new[] { (r.Target, 50.0), (r.Target, 99.0) }).ToArray();
        var bars = new List<Bar>();
        for (var k = 0; k < keys.Length; k++)
        {
            for (var s = 0; s < series.Length; s++)
            {
                var map = maps[s / 2];
                var value = map.TryGetValue(keys[k], out var h) && h.TotalCount > 0 ? h.GetValueAtPercentile(series[s].Item2) / 1000.0 : 0;
                bars.Add(new Bar { Position = (k * (series.Length + 1)) + s, Value = value, FillColor = Color(s) });
            }
        }

        plot.Add.Bars(bars);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. Enumerable.Range(0, keys.Length).Select(k => (k * (series.Length + 1)) + ((series.Length - 1) / 2.0))], keys);
        for (var s = 0; s < series.Length; s++)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"{series[s].Target} p{series[s].Item2:0}", FillColor = Color(s) });
        }

        plot.ShowLegend(Alignment.UpperLeft);
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.YLabel("delivery delay (ms)");
        plot.SavePng(path, 900, 500);
    }

    private static void Cdf(string path, IReadOnlyList<TargetResult> results)
    {
        var plot = new Plot();
        for (var i = 0; i < results.Count; i++)
        {
            var h = results[i].Pattern.All;
            if (h.TotalCount == 0)
            {
                continue;
            }

            var xs = CdfPercentiles.Select(p => h.GetValueAtPercentile(p) / 1000.0).ToArray();
            var line = plot.Add.ScatterLine(xs, CdfPercentiles);
            line.LegendText = results[i].Target;
            line.Color = Color(i * 2);
            line.LineWidth = 2;
        }

        plot.ShowLegend(Alignment.LowerRight);
        plot.Title("Delivery delay CDF (pattern phase)");
        plot.XLabel("delivery delay (ms)");
        plot.YLabel("deliveries at or below (%)");
        plot.SavePng(path, 900, 500);
    }

    private static ScottPlot.Color Color(int series) => new ScottPlot.Palettes.Category10().GetColor(series);
}
