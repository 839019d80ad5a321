using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Situk.Tests.Support;

/// <summary>
/// A real <c>nats-server</c> (Debian's <c>nats-server</c> package) started by the test on free loopback ports,
/// with its monitoring endpoint on for counting messages per connection. The binary is
/// <c>SITUK_NATS_SERVER</c>, else the first of /usr/sbin, /usr/bin and PATH; <c>./build.sh</c> installs the
/// package as root when it is missing (eng/nats.sh). Killed on dispose, its PID only.
/// </summary>
public sealed class NatsServer : IAsyncDisposable
{
    private readonly int _port;
    private readonly int _monitorPort;
    private readonly string[] _clusterArgs;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private const int MaxLogLines = 10_000;
    private readonly ConcurrentQueue<string> _log = new();
    private Process _process;

    /// <summary>Starts the server (<see cref="Launch"/>); <paramref name="environment"/> is added to the server's own.</summary>
    private NatsServer(int port, int monitorPort, string[]? clusterArgs = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        _clusterArgs = clusterArgs ?? [];
        _environment = environment ?? new Dictionary<string, string>();
        _port = port;
        _monitorPort = monitorPort;
        Url = $"nats://127.0.0.1:{port}";
        Monitor = new Uri($"http://127.0.0.1:{monitorPort}/");
        _process = Launch();
    }

    /// <summary><c>nats://127.0.0.1:PORT</c>, for <c>Situk:Nats:Url</c>.</summary>
    public string Url { get; }

    /// <summary>The server's HTTP monitoring endpoint (<c>/connz</c>, <c>/subsz</c>).</summary>
    public Uri Monitor { get; }

    public static Task<NatsServer> StartAsync(CancellationToken ct) => StartAsync([], ct);

    /// <summary>A server with more of nats-server's own options (<c>--user</c>, <c>--pass</c>, <c>--tls</c>, …), kept across restarts.</summary>
    public static Task<NatsServer> StartAsync(IReadOnlyList<string> options, CancellationToken ct) =>
        StartAsync(options, new Dictionary<string, string>(), ct);

    /// <summary>
    /// As <see cref="StartAsync(IReadOnlyList{string}, CancellationToken)"/>, with <paramref name="environment"/> added to the
    /// server's own: the variables a configuration file (<c>-c</c>) refers to, such as its passwords.
    /// </summary>
    public static async Task<NatsServer> StartAsync(IReadOnlyList<string> options, IReadOnlyDictionary<string, string> environment, CancellationToken ct)
    {
        RequireBinary();
        var ports = PostgresServer.FreeTcpPorts(2);
        var server = new NatsServer(ports[0], ports[1], [.. options], environment);
        await server.WaitUntilListeningAsync(ports[0], ct);
        return server;
    }

    /// <summary>
    /// One server of a NATS cluster (<see cref="NatsCluster"/>): named <paramref name="name"/>, listening for routes on
    /// <paramref name="clusterPort"/> and soliciting routes to the <paramref name="peerClusterPorts"/>. Returns once it
    /// accepts clients; the routes come up in the background.
    /// </summary>
    internal static async Task<NatsServer> StartRoutedAsync(string name, int port, int monitorPort, int clusterPort, IEnumerable<int> peerClusterPorts, CancellationToken ct)
    {
        RequireBinary();
        string[] clusterArgs =
        [
            "--server_name", name, "--cluster_name", "situk", "--cluster", $"nats://127.0.0.1:{clusterPort}",
            "--routes", string.Join(',', peerClusterPorts.Select(p => $"nats://127.0.0.1:{p}")),
        ];
        var server = new NatsServer(port, monitorPort, clusterArgs);
        await server.WaitUntilListeningAsync(port, ct);
        return server;
    }

    /// <summary>Routes to other servers of its NATS cluster that this server has now (<c>/routez</c> <c>num_routes</c>).</summary>
    public async Task<int> RoutesAsync(CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = Monitor, Timeout = TimeSpan.FromSeconds(5) };
        var routez = await http.GetFromJsonAsync<JsonElement>("routez", ct);
        return routez.GetProperty("num_routes").GetInt32();
    }

    /// <summary>The names of the client connections this server holds now (<c>/connz</c>).</summary>
    public async Task<IReadOnlyList<string>> ClientNamesAsync(CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = Monitor, Timeout = TimeSpan.FromSeconds(5) };
        var connz = await http.GetFromJsonAsync<JsonElement>("connz?limit=1024", ct);
        return [.. connz.GetProperty("connections").EnumerateArray()
            .Select(c => c.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "")];
    }

    /// <summary>SIGSTOP: the server is frozen, its sockets open, nothing answered (not even PING). <see cref="Thaw"/> undoes it.</summary>
    public void Freeze() => Signal("STOP");

    /// <summary>SIGCONT: a server frozen by <see cref="Freeze"/> runs on.</summary>
    public void Thaw() => Signal("CONT");

    private void Signal(string signal)
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
            kill.WaitForExit();
        }
    }

    /// <summary>Kills the server (every client loses its connection at once) and starts a fresh one on the same ports.</summary>
    public async Task RestartAsync(CancellationToken ct)
    {
        _process.Kill();
        await _process.WaitForExitAsync(ct);
        _process.Dispose();
        _process = Launch();
        await WaitUntilListeningAsync(_port, ct);
    }

    /// <summary>Kills the server (SIGKILL) and leaves it down until <see cref="StartAgainAsync"/>.</summary>
    public async Task KillAsync(CancellationToken ct)
    {
        _process.Kill();
        await _process.WaitForExitAsync(ct);
    }

    /// <summary>Starts a server killed by <see cref="KillAsync"/> again on the same ports.</summary>
    public async Task StartAgainAsync(CancellationToken ct)
    {
        _process.Dispose();
        _process = Launch();
        await WaitUntilListeningAsync(_port, ct);
    }

    /// <summary>What the server has logged so far, across restarts (its stderr: connections, errors, permission violations); the last <see cref="MaxLogLines"/> lines.</summary>
    public IReadOnlyList<string> Log => [.. _log];

    private static void RequireBinary()
    {
        if (FindBinary() is null)
        {
            throw new InvalidOperationException(
                "The cluster tests need nats-server and could not find it. Install Debian's package " +
                "(sudo apt-get install -y nats-server; ./build.sh does this as root) or name the binary in SITUK_NATS_SERVER.");
        }
    }

    private Process Launch()
    {
        var start = new ProcessStartInfo(FindBinary()!)
        {
            ArgumentList = { "-a", "127.0.0.1", "-p", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-m", _monitorPort.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in _clusterArgs)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in _environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("nats-server did not start.");
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _log.Enqueue(line);
            while (_log.Count > MaxLogLines && _log.TryDequeue(out _))
            {
            }
        }
    }

    /// <summary>Messages the server sent to the client connection named <paramref name="name"/> so far (<c>/connz</c> <c>out_msgs</c>).</summary>
    public async Task<long> MessagesSentToAsync(string namePrefix, string nameContains, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = Monitor };
        var connz = await http.GetFromJsonAsync<JsonElement>("connz?limit=1024", ct);
        return connz.GetProperty("connections").EnumerateArray()
            .Where(c => c.TryGetProperty("name", out var n) && n.GetString() is { } s && s.StartsWith(namePrefix, StringComparison.Ordinal) && s.Contains(nameContains, StringComparison.Ordinal))
            .Sum(c => c.GetProperty("out_msgs").GetInt64());
    }

    public async ValueTask DisposeAsync()
    {
        Thaw();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task WaitUntilListeningAsync(int port, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"nats-server exited with {_process.ExitCode} at start.");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port, timeout.Token);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50, timeout.Token);
            }
        }
    }

    private static string? FindBinary()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        IEnumerable<string> candidates = [Environment.GetEnvironmentVariable("SITUK_NATS_SERVER") ?? "", "/usr/sbin/nats-server", "/usr/bin/nats-server",
            .. path.Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, "nats-server"))];
        return candidates.FirstOrDefault(c => c.Length > 0 && File.Exists(c));
    }
}
