using System.Globalization;

namespace Situk.Bench.Load.Report;

/// <summary>
/// Figures over several runs as every multi-run table shows them: the median and, in brackets, the range.
/// The median of an even count is the upper middle value (a figure some run really measured); values that
/// are not numbers (a phase a run did not reach) are left out.
/// </summary>
internal static class MedianRange
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = Sorted(values);
        return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
    }

    /// <summary>"median [min–max]", only the median for one value, "—" for none.</summary>
    public static string Cell(IEnumerable<double> values, string format)
    {
        var sorted = Sorted(values);
        if (sorted.Length == 0)
        {
            return "—";
        }

        var median = sorted[sorted.Length / 2].ToString(format, CultureInfo.InvariantCulture);
        return sorted.Length == 1
            ? median
            : $"{median} [{sorted[0].ToString(format, CultureInfo.InvariantCulture)}–{sorted[^1].ToString(format, CultureInfo.InvariantCulture)}]";
    }

    /// <summary>
    /// The ratio of the medians of <paramref name="a"/> and <paramref name="b"/> (paired by run) and, in brackets,
    /// the range of each run's own ratio a/b; "—" when either side has no figure or the other's is zero.
    /// </summary>
    public static string RatioCell(IReadOnlyList<double> a, IReadOnlyList<double> b, string format = "0.00")
    {
        var ratio = RatioOfMedians(a, b);
        if (!double.IsFinite(ratio))
        {
            return "—";
        }

        var each = Sorted(a.Zip(b, Ratio));
        var text = ratio.ToString(format, CultureInfo.InvariantCulture);
        return each.Length <= 1
            ? text
            : $"{text} [{each[0].ToString(format, CultureInfo.InvariantCulture)}–{each[^1].ToString(format, CultureInfo.InvariantCulture)}]";
    }

    public static double RatioOfMedians(IReadOnlyList<double> a, IReadOnlyList<double> b) => Ratio(Median(a), Median(b));

    /// <summary>a / b, NaN when either is missing or b is zero (CPU time moves in 10 ms ticks).</summary>
    public static double Ratio(double a, double b) => double.IsFinite(a) && double.IsFinite(b) && b > 0 ? a / b : double.NaN;

    private static double[] Sorted(IEnumerable<double> values) => [.. values.Where(double.IsFinite).Order()];
}
