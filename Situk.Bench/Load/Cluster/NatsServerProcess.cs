using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Situk.Bench.EndToEnd;

namespace Situk.Bench.Load.Cluster;

/// <summary>
/// A <c>nats-server</c> on free loopback ports as a child process, so its CPU time and RSS can be read. The
/// binary is the one <c>eng/nats.sh</c> prints (<c>SITUK_NATS_SERVER</c>, /usr/sbin, /usr/bin or PATH; it installs
/// Debian's package as root when missing), as for the cluster tests and <c>./build.sh --target=Up</c>.
/// </summary>
internal sealed class NatsServerProcess : IAsyncDisposable
{
    private NatsServerProcess(ChildProcess process, int port, int monitorPort)
    {
        Process = process;
        Url = $"nats://127.0.0.1:{port}";
        Monitor = new Uri($"http://127.0.0.1:{monitorPort}/");
    }

    /// <summary>The server's HTTP monitoring endpoint.</summary>
    public Uri Monitor { get; }

    /// <summary>Subscriptions on <c>situk.user.*</c> across all connections (<c>/connz?subs=1</c>): the users the brokers listen for.</summary>
    public async Task<int> UserSubscriptionsAsync()
    {
        using var http = new HttpClient { BaseAddress = Monitor, Timeout = TimeSpan.FromSeconds(10) };
        using var connz = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("connz?subs=1&limit=4096"));
        return connz.RootElement.GetProperty("connections").EnumerateArray()
            .Where(c => c.TryGetProperty("subscriptions_list", out _))
            .SelectMany(c => c.GetProperty("subscriptions_list").EnumerateArray())
            .Count(s => s.GetString() is { } subject && subject.StartsWith("situk.user.", StringComparison.Ordinal));
    }

    public ChildProcess Process { get; }

    /// <summary><c>nats://127.0.0.1:PORT</c>, for <c>Situk:Nats:Url</c>.</summary>
    public string Url { get; }

    public static async Task<NatsServerProcess> StartAsync()
    {
        var binary = await FindAsync();
        var ports = ChildProcess.FreePorts(2);
        var process = ChildProcess.StartProgram("nats", binary,
            ["-a", "127.0.0.1", "-p", ports[0].ToString(CultureInfo.InvariantCulture), "-m", ports[1].ToString(CultureInfo.InvariantCulture)],
            new Dictionary<string, string>());
        var server = new NatsServerProcess(process, ports[0], ports[1]);
        try
        {
            await server.WaitListeningAsync(ports[0]);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();

    private async Task WaitListeningAsync(int port)
    {
        var until = Stopwatch.GetTimestamp() + (20 * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until)
        {
            if (Process.HasExited)
            {
                throw new ChildExitedException($"nats-server exited with {Process.ExitCode} at start.");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException("nats-server did not listen within 20 s.");
    }

    private static async Task<string> FindAsync()
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(SitukSystem.RepositoryRoot(), "eng", "nats.sh"));
        using var process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("Could not run eng/nats.sh.");
        var output = (await process.StandardOutput.ReadToEndAsync()).Trim();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 && output.Length > 0
            ? output
            : throw new InvalidOperationException("nats-server was not found (eng/nats.sh); install Debian's nats-server or set SITUK_NATS_SERVER.");
    }
}
