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
        return new SystemFixture(broker, smtp, api);
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
