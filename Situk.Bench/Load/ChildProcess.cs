using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Situk.Bench.Load;

/// <summary>
/// A server under test in its own process (its own open-file limit and its own RSS), started with
/// <c>dotnet X.dll</c> from this program's output folder, configured through environment variables.
/// Its output is echoed with a prefix. Disposing kills it if it is still running.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _name;

    private ChildProcess(Process process, string name)
    {
        _process = process;
        _name = name;
    }

    public int Id => _process.Id;

    public string Name => _name;

    /// <summary>CPU time the process has used so far, user and system (utime + stime of <c>/proc/PID/stat</c>).</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    public bool HasExited => _process.HasExited;

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>The child's standard input, when started with <c>input: true</c>.</summary>
    public StreamWriter Input => _process.StandardInput;

    public static ChildProcess Start(string name, string dll, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment) =>
        StartProgram(name, "dotnet", [Path.Combine(AppContext.BaseDirectory, dll), .. args], environment);

    /// <summary>
    /// Starts any program (nats-server, or <c>dotnet</c> with a dll). Lines it writes go to <paramref name="onLine"/>
    /// when given (else they are echoed); with <paramref name="input"/> its standard input stays open for <see cref="Input"/>.
    /// </summary>
    public static ChildProcess StartProgram(string name, string program, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment,
        Action<string>? onLine = null, bool input = false)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {program}.");
        process.OutputDataReceived += (_, e) =>
        {
            if (onLine is null)
            {
                Echo(name, e.Data);
            }
            else if (e.Data is not null)
            {
                onLine(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) => Echo(name, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ChildProcess(process, name);
    }

    /// <summary>
    /// A free loopback port (bound and released: good enough for a child that binds it next). Bound
    /// without SO_REUSEADDR, so the kernel also passes over ports that an earlier run's connections still
    /// hold in TIME_WAIT, which a server could not listen on.
    /// </summary>
    public static int FreePort() => FreePorts(1)[0];

    /// <summary>
    /// <paramref name="count"/> different free loopback ports, from below the kernel's ephemeral range
    /// (<c>ip_local_port_range</c>, 32768 and up here): a port the kernel hands out for port 0 is also what it
    /// hands out as the source port of the next outgoing connection, so with thousands of device sockets
    /// connecting, such a port could be taken before the child bound it. A process-wide cursor, started at
    /// random, walks 10000 up to that range, so two servers of one run are never handed the same port; each
    /// port is checked by binding it (as <see cref="FreePort"/>), and all are held until the last is picked.
    /// </summary>
    public static int[] FreePorts(int count)
    {
        var listeners = new List<TcpListener>(count);
        try
        {
            for (var tries = 0; listeners.Count < count; tries++)
            {
                if (tries > PortRange.Count)
                {
                    throw new InvalidOperationException($"No free TCP port on loopback between {PortRange.First} and {PortRange.First + PortRange.Count - 1}.");
                }

                var port = PortRange.First + (int)((uint)Interlocked.Increment(ref _portCursor) % (uint)PortRange.Count);
                var listener = new TcpListener(IPAddress.Loopback, port) { ExclusiveAddressUse = true };
                try
                {
                    listener.Start();
                    listeners.Add(listener);
                }
                catch (SocketException)
                {
                    listener.Dispose(); // taken: try the next
                }
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Dispose();
            }
        }
    }

    private static int _portCursor = Random.Shared.Next(0, 1 << 20);

    /// <summary>From 10000 to just below the ephemeral range's start (32768 when it cannot be read).</summary>
    private static readonly (int First, int Count) PortRange = ReadPortRange();

    private static (int First, int Count) ReadPortRange()
    {
        const int first = 10_000;
        var ephemeralStart = 32_768;
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            ephemeralStart = int.Parse(range[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // Not Linux, or not readable: the common default.
        }

        return ephemeralStart > first + 1_000 ? (first, ephemeralStart - first) : (1_024, 9_000);
    }

    /// <summary>Polls <paramref name="health"/> until it answers 200, the process exits or the deadline passes.</summary>
    public async Task WaitHealthyAsync(Uri health, TimeSpan deadline)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var until = Stopwatch.GetTimestamp() + (long)(deadline.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until && !HasExited)
        {
            try
            {
                using var response = await http.GetAsync(health);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        throw HasExited
            ? new ChildExitedException($"{_name} exited with {ExitCode} before it was healthy at {health}.")
            : new InvalidOperationException($"{_name} did not become healthy at {health} within {deadline.TotalSeconds:0} s.");
    }

    /// <summary>Resident set size in bytes, from <c>/proc/PID/status</c> (VmRSS); 0 once the process is gone.</summary>
    public long RssBytes()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }

    /// <summary>CPU time used so far (user + kernel, <c>/proc/PID/stat</c> fields 14 and 15) in seconds; 0 once the process is gone.</summary>
    public double CpuSeconds()
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
            // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return ticks / (double)ClockTicksPerSecond;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>USER_HZ: 100 on every Linux this runs on (sysconf(_SC_CLK_TCK)).</summary>
    private const int ClockTicksPerSecond = 100;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _process.Dispose();
    }

    private static void Echo(string name, string? line)
    {
        if (!string.IsNullOrEmpty(line))
        {
            Console.WriteLine($"  [{name}] {line}");
        }
    }
}

/// <summary>The child ended before its health check answered (most often: the free port it was given was taken meanwhile).</summary>
internal sealed class ChildExitedException(string message) : InvalidOperationException(message);
