using ScottPlot;

namespace Situk.Bench.Load.Soak;

/// <summary>The soak's two PNG charts (ScottPlot): the broker's memory, and its handles, threads and sessions, over time.</summary>
internal static class SoakCharts
{
    public static void Write(string folder, string label, IReadOnlyList<SoakSample> samples)
    {
        var minutes = samples.Select(s => s.Seconds / 60).ToArray();
        Lines(Path.Combine(folder, $"{label}-memory.png"), "Broker memory", "MiB", minutes,
        [
            ("RSS", samples.Select(s => s.RssBytes / 1048576.0).ToArray()),
            ("GC heap after the last full collection", samples.Select(s => s.GcHeapBytes / 1048576.0).ToArray()),
        ]);
        Lines(Path.Combine(folder, $"{label}-handles.png"), "Broker handles, threads and sessions", "count", minutes,
        [
            ("open handles (/proc/PID/fd)", samples.Select(s => (double)s.Handles).ToArray()),
            ("threads", samples.Select(s => (double)s.Threads).ToArray()),
            ("device sessions", samples.Select(s => (double)s.Connections).ToArray()),
        ]);
    }

    private static void Lines(string path, string title, string unit, double[] minutes, (string Name, double[] Values)[] series)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (var i = 0; i < series.Length; i++)
        {
            var line = plot.Add.ScatterLine(minutes, series[i].Values);
            line.LegendText = series[i].Name;
            line.Color = palette.GetColor(i);
            line.LineWidth = 2;
        }

        plot.ShowLegend(Alignment.LowerRight);
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.XLabel("minutes into the steady phase");
        plot.YLabel(unit);
        plot.SavePng(path, 900, 450);
    }
}
