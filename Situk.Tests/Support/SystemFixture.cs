using System.Net.Http.Json;
using Situk.Contracts;

namespace Situk.Tests.Support;

/// <summary>
/// The whole system on loopback: a real broker, a real SMTP server and the API (with its relays)
/// wired to both, on a fresh PostgreSQL database. Tests reach each part through its own fixture.
/// </summary>
public sealed class SystemFixture : IAsyncDisposable
{
    private SystemFixture(BrokerFixture broker, SmtpSink smtp, ApiFixture api)
    {
        Broker = broker;
        Smtp = smtp;
        Api = api;
    }

    public BrokerFixture Broker { get; }

    public SmtpSink Smtp { get; }

    public ApiFixture Api { get; }

    /// <param name="settings">API settings added to (or overriding) the wiring to broker and SMTP.</param>
    public static async Task<SystemFixture> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var broker = await BrokerFixture.StartAsync();
        var smtp = await SmtpSink.StartAsync();
        var all = new Dictionary<string, string?>
        {
            ["Situk:Api:BrokerInternalUrl"] = broker.InternalUri.ToString(),
            ["Situk:Api:PublicBrokerUrl"] = broker.DeviceUri.ToString(),
            ["Situk:Broker:InternalKey"] = broker.InternalKey,
            ["Situk:Broker:AdminKey"] = broker.AdminKey,
            ["Situk:Api:BrokerAdminUrl"] = broker.InternalHttp.ToString(),
            ["Situk:Jwt:SigningKey"] = broker.Tokens.SigningKey,
            ["Situk:Smtp:Host"] = smtp.Host,
            ["Situk:Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Fast relay retries, so a test that stops a part sees the recovery soon.
            ["Situk:Relay:ReconnectBaseDelay"] = "00:00:00.100",
            ["Situk:Relay:ReconnectMaxDelay"] = "00:00:01",
            ["Situk:Smtp:RetryBaseDelay"] = "00:00:00.200",
            ["Situk:Smtp:RetryMaxDelay"] = "00:00:01",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var api = await ApiFixture.StartAsync(all);
        var system = new SystemFixture(broker, smtp, api);
        using var linked = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await system.WaitForBrokerLinkAsync(linked.Token);
        return system;
    }

    /// <summary>
    /// Restarts the broker and waits until the API's link to it is back: device acks and reads reach
    /// the API only through that link (the broker keeps none while no API is connected).
    /// </summary>
    public async Task RestartBrokerAsync(CancellationToken ct)
    {
        await Broker.RestartAsync(ct);
        await WaitForBrokerLinkAsync(ct);
    }

    /// <summary>
    /// Restarts the broker with its device page pointed at this API (<c>PublicApiUrl</c>), which has a port
    /// only once it has started, and waits for the API's link to come back.
    /// </summary>
    public async Task PointDevicePageAtApiAsync(CancellationToken ct)
    {
        await Broker.RestartAsync(new Dictionary<string, string?> { ["Situk:Broker:PublicApiUrl"] = Api.BaseAddress.ToString().TrimEnd('/') }, ct);
        await WaitForBrokerLinkAsync(ct);
    }

    /// <summary>Waits until the API reports its broker link up (<c>/readyz</c> says the broker check is Healthy).</summary>
    public async Task WaitForBrokerLinkAsync(CancellationToken ct)
    {
        using var client = Api.CreateClient();
        while (true)
        {
            using var response = await client.GetAsync("readyz", ct);
            var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(ct);
            if (body.GetProperty("checks").GetProperty("broker").GetProperty("status").GetString() == "Healthy")
            {
                return;
            }

            await Task.Delay(50, ct);
        }
    }

    /// <summary>A device socket for a user of the API, with a token the API itself issued.</summary>
    public async Task<System.Net.WebSockets.ClientWebSocket> ConnectDeviceAsync(TestUser user, CancellationToken ct)
    {
        var socket = new System.Net.WebSockets.ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + Api.IssueToken(user.Id, user.Role));
        await socket.ConnectAsync(new Uri(Broker.DeviceUri + "?device=" + DeviceClasses.Android), ct);
        await socket.ReceiveWelcomeAsync(ct);
        return socket;
    }

    public async ValueTask DisposeAsync()
    {
        await Api.DisposeAsync();
        await Smtp.DisposeAsync();
        await Broker.DisposeAsync();
    }
}
