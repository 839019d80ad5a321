using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Situk.Broker;
using Situk.Broker.Hosting;

namespace Situk.Tests.Support;

/// <summary>
/// A real Situk broker (Kestrel, both listeners) running in the test process on ephemeral loopback
/// ports, with test keys and a generous per-address connection rate. Use one per test or per fixture:
/// <code>
/// await using var broker = await BrokerFixture.StartAsync();
/// using var device = await broker.ConnectDeviceAsync("42");           // ClientWebSocket, welcome unread
/// using var api = await broker.ConnectInternalAsync();                 // the API's link
/// using var admin = broker.CreateAdminClient();                        // HttpClient on the internal port
/// </code>
/// Point the API's relay at <see cref="InternalUri"/> with <see cref="InternalKey"/> and hand devices
/// <see cref="DeviceUri"/>; <see cref="RestartAsync"/> brings the broker back on the same ports (to
/// test reconnects), <see cref="StopAsync"/> stops it (devices get 1001).
/// </summary>
public sealed partial class BrokerFixture : IAsyncDisposable
{
    public const string DefaultAdminKey = "situk-tests-admin-key-0123456789";
    public const string DefaultInternalKey = "situk-tests-internal-key-0123456789";

    private readonly Dictionary<string, string?> _settings;
    private readonly Action<WebApplicationBuilder>? _customize;
    private WebApplication? _app;

    private BrokerFixture(Dictionary<string, string?> settings, Action<WebApplicationBuilder>? customize)
    {
        _settings = settings;
        _customize = customize;
        Tokens = new TestTokens(settings["Situk:Jwt:SigningKey"]!);
    }

    /// <summary>The running app (its <c>Services</c> reach the broker's internals from tests).</summary>
    public WebApplication App => _app ?? throw new InvalidOperationException("The broker is stopped.");

    /// <summary>Mints tokens with this broker's signing key.</summary>
    public TestTokens Tokens { get; }

    public string AdminKey => _settings["Situk:Broker:AdminKey"]!;

    public string InternalKey => _settings["Situk:Broker:InternalKey"]!;

    /// <summary>Bound device endpoint (kept across <see cref="RestartAsync"/>).</summary>
    public IPEndPoint DeviceEndPoint { get; private set; } = new(IPAddress.Loopback, 0);

    /// <summary>Bound internal endpoint (kept across <see cref="RestartAsync"/>).</summary>
    public IPEndPoint InternalEndPoint { get; private set; } = new(IPAddress.Loopback, 0);

    /// <summary><c>ws://127.0.0.1:port/ws</c>: where devices connect.</summary>
    public Uri DeviceUri => new($"ws://{DeviceEndPoint}/ws");

    /// <summary><c>ws://127.0.0.1:port/internal</c>: where the API's relay connects.</summary>
    public Uri InternalUri => new($"ws://{InternalEndPoint}/internal");

    /// <summary><c>http://127.0.0.1:port/</c> of the device listener.</summary>
    public Uri DeviceHttp => new($"http://{DeviceEndPoint}/");

    /// <summary><c>http://127.0.0.1:port/</c> of the internal listener (management, metrics).</summary>
    public Uri InternalHttp => new($"http://{InternalEndPoint}/");

    /// <summary>
    /// Starts a broker. <paramref name="settings"/> override the test defaults (keys with <c>:</c>, e.g.
    /// <c>["Situk:Broker:QueueCapacity"] = "4"</c>); <paramref name="customize"/> gets the builder last
    /// (add a logging provider, replace <see cref="TimeProvider"/>).
    /// </summary>
    public static async Task<BrokerFixture> StartAsync(
        IReadOnlyDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? customize = null,
        CancellationToken cancellationToken = default)
    {
        var merged = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Situk:Jwt:SigningKey"] = TestTokens.DefaultSigningKey,
            ["Situk:Jwt:Issuer"] = TestTokens.DefaultIssuer,
            ["Situk:Jwt:Audience"] = TestTokens.DefaultAudience,
            ["Situk:Broker:DeviceUrl"] = "http://127.0.0.1:0",
            ["Situk:Broker:InternalUrl"] = "http://127.0.0.1:0",
            ["Situk:Broker:AdminKey"] = DefaultAdminKey,
            ["Situk:Broker:InternalKey"] = DefaultInternalKey,
            ["Situk:Broker:ConnectRatePerSecond"] = "100000",
            ["Situk:Broker:ConnectBurst"] = "100000",
            ["Situk:Broker:RefusedRatePerSecond"] = "100000",
            ["Situk:Broker:RefusedBurst"] = "100000",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            merged[key] = value;
        }

        var fixture = new BrokerFixture(merged, customize);
        await fixture.StartAppAsync(cancellationToken);
        return fixture;
    }

    /// <summary>Stops the broker gracefully: every session is closed with 1001.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync(cancellationToken);
            await app.DisposeAsync();
        }
    }

    /// <summary>Stops the broker (if running) and starts a fresh one on the same ports.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync(cancellationToken);
        _settings["Situk:Broker:DeviceUrl"] = $"http://{DeviceEndPoint}";
        _settings["Situk:Broker:InternalUrl"] = $"http://{InternalEndPoint}";
        await StartAppAsync(cancellationToken);
    }

    /// <summary>Restarts the broker on the same ports with <paramref name="changes"/> added to its settings.</summary>
    public async Task RestartAsync(IReadOnlyDictionary<string, string?> changes, CancellationToken cancellationToken = default)
    {
        foreach (var (key, value) in changes)
        {
            _settings[key] = value;
        }

        await RestartAsync(cancellationToken);
    }

    /// <summary>A service of the running broker (internals are visible to Situk.Tests).</summary>
    public T Service<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await StopAsync(timeout.Token);
    }

    private async Task StartAppAsync(CancellationToken cancellationToken)
    {
        var app = BrokerApp.Build([], config => config.AddInMemoryCollection(_settings), _customize);
        await app.StartAsync(cancellationToken);
        var listeners = app.Services.GetRequiredService<BrokerListeners>();
        DeviceEndPoint = new IPEndPoint(IPAddress.Loopback, listeners.Device.Port);
        InternalEndPoint = new IPEndPoint(IPAddress.Loopback, listeners.Internal.Port);
        _app = app;
    }
}
