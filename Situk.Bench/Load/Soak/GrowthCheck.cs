using System.Globalization;

namespace Situk.Bench.Load.Soak;

/// <summary>
/// The soak's rule for "grows without bound", applied to one series (RSS, GC heap, handles, threads).
/// The samples are cut in thirds by order: the first third is warm-up (JIT, pools, the GC finding its
/// budget) and is ignored. The series fails when the mean of the last third exceeds the mean of the
/// middle third by more than <see cref="Relative"/> AND by more than <see cref="Absolute"/> (so small
/// counts do not fail on noise), AND the least-squares slope over the last two thirds is positive
/// (a step that levels off is not a leak). Fewer than nine samples cannot be judged and fail. The GC
/// heap is read after the last full collection (garbage from ended sessions waits in gen 2 until one):
/// with fewer than three full collections after warm-up it is not judged and RSS stands for it.
/// </summary>
internal sealed record GrowthCheck(string Name, string Unit, double Relative, double Absolute, double Scale)
{
    public const int MinimumSamples = 9;

    public static readonly GrowthCheck[] All =
    [
        new("RSS", "MiB", 0.10, 16, 1048576.0),
        new("GC heap", "MiB", 0.20, 8, 1048576.0),
        new("handles", "fds", 0.10, 50, 1),
        new("threads", "threads", 0.20, 10, 1),
    ];

    public GrowthVerdict Judge(IReadOnlyList<double> series, IReadOnlyList<double> seconds)
    {
        if (series.Count < MinimumSamples)
        {
            return new GrowthVerdict(this, false, double.NaN, double.NaN, double.NaN, $"{series.Count} samples, fewer than {MinimumSamples}: cannot judge");
        }

        var third = series.Count / 3;
        var middle = series.Skip(third).Take(third).Average() / Scale;
        var last = series.Skip(2 * third).Average() / Scale;
        var slope = Slope(seconds.Skip(third).ToArray(), series.Skip(third).Select(v => v / Scale).ToArray()) * 60;
        var growth = last - middle;
        var grew = growth > Absolute && (middle <= 0 || growth / middle > Relative) && slope > 0;
        var c = CultureInfo.InvariantCulture;
        var why = string.Create(c, $"middle third {middle:0.#} → last third {last:0.#} {Unit} ({(middle > 0 ? growth / middle : 0):+0.0%;-0.0%}), slope {slope:+0.##;-0.##} {Unit}/min; fails past +{Relative:0%} and +{Absolute:0.#} {Unit} with a positive slope");
        return new GrowthVerdict(this, !grew, middle, last, slope, why);
    }

    /// <summary>Least-squares slope of <paramref name="y"/> over <paramref name="x"/> (units per second).</summary>
    public static double Slope(double[] x, double[] y)
    {
        var mx = x.Average();
        var my = y.Average();
        var num = 0.0;
        var den = 0.0;
        for (var i = 0; i < x.Length; i++)
        {
            num += (x[i] - mx) * (y[i] - my);
            den += (x[i] - mx) * (x[i] - mx);
        }

        return den == 0 ? 0 : num / den;
    }
}

/// <summary>One series' verdict: <see cref="Passed"/> false means it grew by the rule (or could not be judged).</summary>
internal sealed record GrowthVerdict(GrowthCheck Check, bool Passed, double Middle, double Last, double SlopePerMinute, string Why);
