using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Situk.Tests.Support;

/// <summary>
/// The real PostgreSQL server the tests run against, set up once per test run.
/// <c>./build.sh --target=Test</c> starts a throw-away cluster and names it in <c>SITUK_TEST_DB</c>
/// (and its data folder in <c>SITUK_TEST_PGDATA</c>, so fault tests can stop and start it). When
/// the variable is absent — a plain <c>dotnet test</c> — the first test that needs a database starts
/// its own cluster under /tmp with <c>eng/pg.sh</c>, and the run stops it at the end.
/// </summary>
public static class PostgresServer
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _adminConnectionString;
    private static string? _ownedDataDir;

    /// <summary>The data folder of the cluster, when the tests know it (needed to stop and start it).</summary>
    public static string? DataDir { get; private set; } = Environment.GetEnvironmentVariable("SITUK_TEST_PGDATA");

    /// <summary>A connection string to the server's <c>postgres</c> database with rights to create databases.</summary>
    public static async Task<string> AdminConnectionStringAsync()
    {
        if (_adminConnectionString is not null)
        {
            return _adminConnectionString;
        }

        await Gate.WaitAsync();
        try
        {
            _adminConnectionString ??= Environment.GetEnvironmentVariable("SITUK_TEST_DB") is { Length: > 0 } given
                ? given
                : await StartOwnClusterAsync();
            await ProbeAsync(_adminConnectionString);
            return _adminConnectionString;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Stops the cluster this run started itself; a cluster named by SITUK_TEST_DB is left alone.</summary>
    public static async Task StopOwnedAsync()
    {
        if (_ownedDataDir is null)
        {
            return;
        }

        await RunPgScriptAsync("stop", _ownedDataDir, "immediate");
        Directory.Delete(Path.GetDirectoryName(_ownedDataDir)!, recursive: true);
        _ownedDataDir = null;
    }

    /// <summary>Runs <c>eng/pg.sh</c> with these arguments and returns what it printed.</summary>
    public static async Task<string> RunPgScriptAsync(params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(RepoPaths.PgScript);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"eng/pg.sh {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}");
        }

        return (await stdout).Trim();
    }

    private static async Task<string> StartOwnClusterAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), "situk-test-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        var dataDir = Path.Combine(root, "pg");
        var connectionString = await RunPgScriptAsync("start", dataDir, FreeTcpPort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        _ownedDataDir = dataDir;
        DataDir = dataDir;
        return connectionString;
    }

    private static async Task ProbeAsync(string connectionString)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException)
        {
            throw new InvalidOperationException(
                "The tests need a PostgreSQL server and could not reach the one in SITUK_TEST_DB " +
                $"({new NpgsqlConnectionStringBuilder(connectionString) { Password = null }}). " +
                "Run ./build.sh --target=Test, which starts one, or fix SITUK_TEST_DB.", ex);
        }
    }

    /// <summary>A TCP port free on loopback right now.</summary>
    public static int FreeTcpPort() => FreeTcpPorts(1)[0];

    /// <summary>
    /// <paramref name="count"/> different TCP ports free on loopback right now, for a server a test starts a moment
    /// later. They come from below the kernel's ephemeral range (<c>ip_local_port_range</c>, 32768 and up here): a
    /// port the kernel hands out for port 0 is also what it hands out as the source port of the next outgoing
    /// connection, so with thousands of test sockets connecting, such a port was often taken before the child
    /// process bound it ("Address already in use"). A process-wide cursor, started at random, walks the range so
    /// two tests of this run are never handed the same port; each is checked by binding it (without
    /// SO_REUSEADDR, so a port still in TIME_WAIT is passed over), and all are held until the last is picked.
    /// </summary>
    public static int[] FreeTcpPorts(int count)
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
            ephemeralStart = int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // Not Linux, or not readable: the common default.
        }

        return ephemeralStart > first + 1_000 ? (first, ephemeralStart - first) : (1_024, 9_000);
    }
}
