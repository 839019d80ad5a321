using System.Globalization;

namespace Situk.Bench.EndToEnd;

/// <summary>
/// CPU time of a process and its live children, from <c>/proc</c>: for PostgreSQL, whose work happens in one
/// backend per connection, forked by the postmaster. A child that has exited is not counted; pooled
/// connections keep their backends for the whole run, so between two readings the difference is the work done.
/// </summary>
internal static class ProcessTree
{
    private const int ClockTicksPerSecond = 100;

    /// <summary>CPU seconds of the process whose id is the first line of <paramref name="pidFile"/> and of its children; 0 when it is not running.</summary>
    public static double CpuSeconds(string pidFile)
    {
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var root))
        {
            return 0;
        }

        long ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            if (Stat(pid) is { } stat && (pid == root || stat.Parent == root))
            {
                ticks += stat.Ticks;
            }
        }

        return ticks / (double)ClockTicksPerSecond;
    }

    private static (int Parent, long Ticks)? Stat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (int.Parse(fields[1], CultureInfo.InvariantCulture),
                long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null; // gone between the listing and the read
        }
    }
}
