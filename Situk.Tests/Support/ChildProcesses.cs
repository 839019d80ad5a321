using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Situk.Tests.Support;

/// <summary>
/// The broker and the API as <see cref="ChildProcess"/>es, on free loopback ports, configured the way
/// docs/API.md says an operator would: environment variables only. Both take the test keys, so tokens
/// from <see cref="TestTokens"/> open device sockets and call the REST API.
/// <code>
/// await using var broker = ChildProcesses.Broker(new() { ["Situk:Broker:QueueCapacity"] = "8" });
/// await using var api = ChildProcesses.Api(connectionString, broker, smtpPort);
/// </code>
/// </summary>
public static class ChildProcesses
{
    /// <summary>Where the build put a service: its own project's output (with its appsettings and wwwroot),
    /// in the configuration the tests were built in; else the copy beside the test assembly.</summary>
    public static string AssemblyPath(string project)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testOutput.Name;                       // net10.0
        var configuration = testOutput.Parent?.Name ?? "Debug"; // Debug | Release
        var own = Path.Combine(RepoPaths.Root, project, "bin", configuration, framework, project + ".dll");
        var beside = Path.Combine(AppContext.BaseDirectory, project + ".dll");
        return File.Exists(own) ? own : File.Exists(beside) ? beside
            : throw new FileNotFoundException($"{project}.dll is in neither {own} nor {beside}: build Situk.Tests first.");
    }

    /// <summary>A broker with the test keys on two free loopback ports; <paramref name="settings"/> override (keys with <c>:</c>).</summary>
    /// <param name="launcher">A command the broker runs under (<c>prlimit --nofile=800:800</c>), see <see cref="ChildProcess"/>.</param>
    public static BrokerProcess Broker(IReadOnlyDictionary<string, string>? settings = null, IReadOnlyList<string>? launcher = null)
    {
        var ports = PostgresServer.FreeTcpPorts(2);
        var (devicePort, internalPort) = (ports[0], ports[1]);
        var all = new Dictionary<string, string>
        {
            ["Situk:Jwt:SigningKey"] = TestTokens.DefaultSigningKey,
            ["Situk:Jwt:Issuer"] = TestTokens.DefaultIssuer,
            ["Situk:Jwt:Audience"] = TestTokens.DefaultAudience,
            ["Situk:Broker:DeviceUrl"] = $"http://127.0.0.1:{devicePort}",
            ["Situk:Broker:InternalUrl"] = $"http://127.0.0.1:{internalPort}",
            ["Situk:Broker:AdminKey"] = BrokerFixture.DefaultAdminKey,
            ["Situk:Broker:InternalKey"] = BrokerFixture.DefaultInternalKey,
            // Every test device connects from 127.0.0.1.
            ["Situk:Broker:ConnectRatePerSecond"] = "100000",
            ["Situk:Broker:ConnectBurst"] = "100000",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        Merge(all, settings);
        var child = new ChildProcess("broker", AssemblyPath("Situk.Broker"), ToEnvironment(all), new Uri($"http://127.0.0.1:{internalPort}/healthz"), launcher);
        return new BrokerProcess(child, devicePort, internalPort);
    }

    /// <summary>An API on a free loopback port, wired to <paramref name="broker"/> and to an SMTP server on <paramref name="smtpPort"/>.</summary>
    public static ApiProcess Api(
        string connectionString, BrokerProcess broker, int smtpPort, IReadOnlyDictionary<string, string>? settings = null)
    {
        var port = PostgresServer.FreeTcpPort();
        var all = new Dictionary<string, string>
        {
            ["ConnectionStrings:Situk"] = connectionString,
            ["Situk:Jwt:SigningKey"] = TestTokens.DefaultSigningKey,
            ["Situk:Admin:Email"] = ApiFixture.AdminEmail,
            ["Situk:Admin:Password"] = ApiFixture.AdminPassword,
            ["Situk:Api:BrokerInternalUrl"] = broker.InternalUri.ToString(),
            ["Situk:Api:PublicBrokerUrl"] = broker.DeviceUri.ToString(),
            ["Situk:Api:BrokerAdminUrl"] = broker.InternalHttp.ToString(),
            ["Situk:Broker:InternalKey"] = BrokerFixture.DefaultInternalKey,
            ["Situk:Broker:AdminKey"] = BrokerFixture.DefaultAdminKey,
            ["Situk:Smtp:Host"] = "127.0.0.1",
            ["Situk:Smtp:Port"] = smtpPort.ToString(CultureInfo.InvariantCulture),
            ["Situk:Smtp:From"] = "situk@situk.test",
            ["Situk:RateLimit:TokenPerAddress"] = "100000",
            ["Situk:RateLimit:TokenPerEmail"] = "100000",
            // Quick recovery after a fault, so the tests see it within seconds.
            ["Situk:Relay:ReconnectBaseDelay"] = "00:00:00.100",
            ["Situk:Relay:ReconnectMaxDelay"] = "00:00:01",
            ["Situk:Relay:RetryBaseDelay"] = "00:00:00.200",
            ["Situk:Relay:RetryMaxDelay"] = "00:00:01",
            ["Situk:Relay:PollInterval"] = "00:00:01",
            ["Situk:Smtp:RetryBaseDelay"] = "00:00:00.200",
            ["Situk:Smtp:RetryMaxDelay"] = "00:00:01",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        Merge(all, settings);
        var child = new ChildProcess("api", AssemblyPath("Situk.Api"), ToEnvironment(all), new Uri($"http://127.0.0.1:{port}/healthz"));
        return new ApiProcess(child, new Uri($"http://127.0.0.1:{port}/"));
    }

    private static void Merge(Dictionary<string, string> all, IReadOnlyDictionary<string, string>? settings)
    {
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }
    }

    // Situk:Broker:AdminKey → Situk__Broker__AdminKey, as an operator's unit file would have it.
    private static Dictionary<string, string> ToEnvironment(Dictionary<string, string> settings) =>
        settings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value);
}

/// <summary>A broker child process and its endpoints (kept across restarts).</summary>
public sealed class BrokerProcess(ChildProcess process, int devicePort, int internalPort) : IAsyncDisposable
{
    public ChildProcess Process { get; } = process;

    public Uri DeviceUri { get; } = new($"ws://127.0.0.1:{devicePort}/ws");

    public Uri InternalUri { get; } = new($"ws://127.0.0.1:{internalPort}/internal");

    public Uri InternalHttp { get; } = new($"http://127.0.0.1:{internalPort}/");

    public int DevicePort { get; } = devicePort;

    /// <summary>An HttpClient on the management listener carrying the admin key.</summary>
    public HttpClient CreateAdminClient()
    {
        var client = new HttpClient { BaseAddress = InternalHttp, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", BrokerFixture.DefaultAdminKey);
        return client;
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}

/// <summary>An API child process and its base address (kept across restarts).</summary>
public sealed class ApiProcess(ChildProcess process, Uri baseAddress) : IAsyncDisposable
{
    public ChildProcess Process { get; } = process;

    /// <summary><c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseAddress { get; } = baseAddress;

    /// <summary>
    /// Waits until the API says its link to the broker is up (<c>/readyz</c>, check "broker" Healthy). An answer
    /// without that check is not yet ready; an API process that exited (its port taken by another process between
    /// picking and binding it, which then answers here) fails at once with its output.
    /// </summary>
    public async Task WaitForBrokerLinkAsync(CancellationToken ct)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        while (true)
        {
            if (!Process.IsRunning)
            {
                throw new InvalidOperationException($"The API exited while waiting for its broker link:{Environment.NewLine}{Process.Tail()}");
            }

            try
            {
                using var response = await client.GetAsync("readyz", ct);
                var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
                if (body.ValueKind == JsonValueKind.Object
                    && body.TryGetProperty("checks", out var checks) && checks.ValueKind == JsonValueKind.Object
                    && checks.TryGetProperty("broker", out var broker) && broker.ValueKind == JsonValueKind.Object
                    && broker.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String
                    && status.GetString() == "Healthy")
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                // Starting, or the database is away: ask again.
            }

            await Task.Delay(100, ct);
        }
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
