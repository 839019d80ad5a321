using System.Globalization;
using Situk.Bench.Load.Targets;

namespace Situk.Bench.Load.Soak;

/// <summary>
/// Reads the broker process from outside: VmRSS and Threads from <c>/proc/PID/status</c>, open handles as
/// the entries of <c>/proc/PID/fd</c>, and from its <c>/metrics</c> (admin key) the managed heap after the
/// last collection, the open sessions, sheds and drops.
/// </summary>
internal sealed class BrokerProbe(SitukTarget target) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public int Pid => target.Process.Id;

    public (long RssBytes, int Threads) Status()
    {
        long rss = 0;
        var threads = 0;
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line["Threads:".Length..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        return (rss, threads);
    }

    public int Handles() => Directory.GetFileSystemEntries($"/proc/{Pid}/fd").Length;

    /// <summary>The broker's own gauges, by metric name without the <c>situk_broker_</c> prefix (absent ones are missing).</summary>
    public async Task<IReadOnlyDictionary<string, double>> MetricsAsync(CancellationToken cancellationToken)
    {
        var text = await target.GetAdminAsync(_http, "/metrics", cancellationToken);
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var labelled in text.Split('\n'))
        {
            // Every series carries the broker's node="…" label; the gauges read here have no other label.
            var line = System.Text.RegularExpressions.Regex.Replace(labelled, "\\{node=\"[^\"]*\"\\}", "");
            const string prefix = "situk_broker_";
            if (!line.StartsWith(prefix, StringComparison.Ordinal) || line.Contains('{', StringComparison.Ordinal))
            {
                continue;
            }

            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0 && double.TryParse(line[(space + 1)..].Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                values[line[prefix.Length..space]] = value;
            }
        }

        return values;
    }

    public void Dispose() => _http.Dispose();
}
