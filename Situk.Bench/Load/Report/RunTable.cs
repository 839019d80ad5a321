using System.Globalization;
using System.Text;

namespace Situk.Bench.Load.Report;

/// <summary>
/// The rows of the load section's main table over one or more runs: a column per target (the same order in
/// every run) and, when Situk ran, a <c>situk / X</c> ratio column for each other target.
/// </summary>
internal sealed class RunTable(StringBuilder s, IReadOnlyList<TargetResult[]> runs)
{
    private readonly int _situk = Array.FindIndex(runs[^1], r => r.Target == "situk");

    /// <summary>Indexes of the targets Situk is set against, one ratio column each (none without Situk in the run).</summary>
    public int[] Against => _situk < 0 ? [] : [.. Enumerable.Range(0, runs[^1].Length).Where(i => i != _situk)];

    /// <summary>A figure: "median [min–max]" over the runs, with the ratio columns unless <paramref name="ratio"/> is false.</summary>
    public void Number(string name, Func<TargetResult, double> value, string format, bool ratio = true)
    {
        s.Append(CultureInfo.InvariantCulture, $"| {name} | ").AppendJoin(" | ", Columns().Select(t => MedianRange.Cell(t.Select(value), format))).Append(" |");
        foreach (var other in Against)
        {
            s.Append(ratio ? $" {MedianRange.RatioCell(Values(_situk, value), Values(other, value))} |" : " |");
        }

        s.AppendLine();
    }

    /// <summary>Several figures in one cell, "a → b → c", each "median [min–max]"; no ratio.</summary>
    public void Numbers(string name, string format, params Func<TargetResult, double>[] values) =>
        Line(name, t => string.Join(values.Length == 2 ? " / " : " → ", values.Select(v => MedianRange.Cell(t.Select(v), format))));

    /// <summary>Counts summed over the runs, "a / b" for two.</summary>
    public void Sum(string name, params Func<TargetResult, long>[] counts) =>
        Line(name, t => string.Join(" / ", counts.Select(n => t.Sum(n).ToString("N0", CultureInfo.InvariantCulture))));

    /// <summary>Text: one run's as is, several runs' in run order, separated by "; ".</summary>
    public void Text(string name, Func<TargetResult, string> text) => Line(name, t => string.Join("; ", t.Select(text)));

    private void Line(string name, Func<TargetResult[], string> cell)
    {
        s.Append(CultureInfo.InvariantCulture, $"| {name} | ").AppendJoin(" | ", Columns().Select(cell)).Append(" |");
        s.Append(string.Concat(Against.Select(_ => " |"))).AppendLine();
    }

    /// <summary>Each target's results over the runs.</summary>
    private IEnumerable<TargetResult[]> Columns() => Enumerable.Range(0, runs[^1].Length).Select(i => runs.Select(r => r[i]).ToArray());

    private double[] Values(int target, Func<TargetResult, double> value) => [.. runs.Select(r => value(r[target]))];
}
