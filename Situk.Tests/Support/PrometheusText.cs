using System.Globalization;

namespace Situk.Tests.Support;

/// <summary>The Prometheus text format as the tests read it: every sample line (<c>name{labels} value</c>) by its name and labels.</summary>
public static class PrometheusText
{
    /// <summary>Every sample of <paramref name="text"/>; throws on a line that does not parse.</summary>
    public static Dictionary<string, double> Parse(string text)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            samples[line[..space]] = double.Parse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        return samples;
    }

    /// <summary>The sum of every sample whose name and labels start with <paramref name="prefix"/> (creation stamps left out).</summary>
    public static double Sum(Dictionary<string, double> samples, string prefix) =>
        samples.Where(s => s.Key.StartsWith(prefix, StringComparison.Ordinal) && !s.Key.Contains("_created", StringComparison.Ordinal)).Sum(s => s.Value);
}
