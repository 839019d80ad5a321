using System.Globalization;

namespace Situk.Broker.Limits;

/// <summary>
/// The process's soft open-file limit (<c>ulimit -n</c>), read from <c>/proc/self/limits</c>. Where that
/// file does not exist (not Linux) or cannot be parsed, <see cref="Fallback"/> is assumed.
/// </summary>
internal static class OpenFileLimit
{
    /// <summary>Assumed when the limit cannot be read.</summary>
    public const int Fallback = 4096;

    /// <summary>Descriptors kept back from device sockets: listeners, internal links, admin requests, logs, assemblies.</summary>
    public const int Headroom = 512;

    public static int Read()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/limits"))
            {
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    var soft = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                    return soft == "unlimited" ? int.MaxValue
                        : int.TryParse(soft, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : Fallback;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return Fallback;
    }

    /// <summary>Descriptors this process has open now (<c>/proc/self/fd</c>); <see cref="Headroom"/> where that cannot be read.</summary>
    public static int OpenNow()
    {
        try
        {
            return Directory.EnumerateFileSystemEntries("/proc/self/fd").Count();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Headroom;
        }
    }

    /// <summary>The device-connection cap when none is configured: the limit less <see cref="Headroom"/>, at least 64.</summary>
    public static int DefaultMaxConnections() => (int)Math.Clamp((long)Read() - Headroom, 64, 1_000_000);
}
