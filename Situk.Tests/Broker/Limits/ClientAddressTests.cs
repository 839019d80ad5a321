using System.Net;
using Situk.Broker.Limits;
using Situk.Tests.Support;

namespace Situk.Tests.Broker.Limits;

[Description("Per-address limits count the client: behind a trusted proxy the one X-Forwarded-For names, otherwise the socket's "
    + "address whatever a client writes; IPv6 by its /64. Both upgrade paths count alike.")]
public sealed class ClientAddressTests
{
    // A bucket of one that refills once a second: a fresh bucket admits its first attempt; six quick
    // attempts on one bucket meet at least one 429 unless they took more than five seconds.
    [TestCase(true)]
    [TestCase(false)]
    public async Task Behind_a_known_proxy_each_forwarded_client_has_its_own_bucket(bool direct)
    {
        using var cts = Timeouts.Generous();
        await using var broker = await StartAsync(direct, ["Situk:Broker:KnownProxies", "127.0.0.1"]);
        var token = broker.Tokens.Issue("behind-proxy");

        var first = await AttemptsAsync(broker, token, ["203.0.113.5", .. Enumerable.Repeat("203.0.113.5", 5)], cts.Token);
        var other = await broker.TryConnectDeviceAsync(bearerToken: token, forwardedFor: "203.0.113.6", cancellationToken: cts.Token);
        var chain = await AttemptsAsync(broker, token, [.. Enumerable.Repeat("198.51.100.9, 203.0.113.7", 6)], cts.Token);
        Assert.Multiple(() =>
        {
            Assert.That(first[0], Is.EqualTo(HttpStatusCode.SwitchingProtocols));
            Assert.That(first, Has.Some.EqualTo(HttpStatusCode.TooManyRequests), "the same client again");
            Assert.That(other, Is.EqualTo(HttpStatusCode.SwitchingProtocols), "another client behind the same proxy");
            Assert.That(chain[0], Is.EqualTo(HttpStatusCode.SwitchingProtocols), "the last hop, not what the client wrote first");
            Assert.That(chain, Has.Some.EqualTo(HttpStatusCode.TooManyRequests), "counted as 203.0.113.7 each time");
        });
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task The_session_is_listed_under_the_forwarded_client(bool direct)
    {
        using var cts = Timeouts.Generous();
        await using var broker = await StartAsync(direct, ["Situk:Broker:KnownNetworks", "127.0.0.0/8"], burst: "100");
        using var device = new System.Net.WebSockets.ClientWebSocket();
        device.Options.SetRequestHeader("Authorization", "Bearer " + broker.Tokens.Issue("listed"));
        device.Options.SetRequestHeader("X-Forwarded-For", "2001:db8::42");
        await device.ConnectAsync(broker.DeviceUri, cts.Token);
        await device.ReceiveWelcomeAsync(cts.Token);

        var sessions = await broker.SessionsAsync("listed", cts.Token);
        Assert.That(sessions.Single().RemoteAddress, Is.EqualTo("2001:db8::42"));
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task Without_a_known_proxy_a_forwarded_address_is_ignored(bool direct)
    {
        using var cts = Timeouts.Generous();
        await using var broker = await StartAsync(direct);
        var statuses = await AttemptsAsync(
            broker, broker.Tokens.Issue("claims-to-be-elsewhere"), ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4", "203.0.113.5", "203.0.113.6"], cts.Token);
        Assert.That(statuses, Has.Some.EqualTo(HttpStatusCode.TooManyRequests), "all counted as 127.0.0.1");
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task Ipv6_clients_are_counted_by_their_64(bool direct)
    {
        using var cts = Timeouts.Generous();
        await using var broker = await StartAsync(direct, ["Situk:Broker:KnownProxies", "127.0.0.1"]);
        var token = broker.Tokens.Issue("v6");

        var same = await AttemptsAsync(
            broker, token, ["2001:db8:0:1::1", "2001:db8:0:1:ffff:ffff:ffff:2", "2001:db8:0:1::3", "2001:db8:0:1:1::4", "2001:db8:0:1::5", "2001:db8:0:1::6"], cts.Token);
        var next = await broker.TryConnectDeviceAsync(bearerToken: token, forwardedFor: "2001:db8:0:2::1", cancellationToken: cts.Token);
        Assert.Multiple(() =>
        {
            Assert.That(same[0], Is.EqualTo(HttpStatusCode.SwitchingProtocols));
            Assert.That(same, Has.Some.EqualTo(HttpStatusCode.TooManyRequests), "one /64, one bucket");
            Assert.That(next, Is.EqualTo(HttpStatusCode.SwitchingProtocols), "the next /64");
        });
    }

    [TestCase("192.0.2.7", "192.0.2.7")]
    [TestCase("::ffff:192.0.2.7", "192.0.2.7")]
    [TestCase("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::")]
    [TestCase("2001:db8:1:2::", "2001:db8:1:2::")]
    public void Buckets_are_ipv4_addresses_and_ipv6_64s(string address, string bucket) =>
        Assert.That(ClientAddresses.Bucket(IPAddress.Parse(address)), Is.EqualTo(IPAddress.Parse(bucket)));

    private static async Task<List<HttpStatusCode>> AttemptsAsync(BrokerFixture broker, string token, string[] forwardedFor, CancellationToken ct)
    {
        var statuses = new List<HttpStatusCode>();
        foreach (var address in forwardedFor)
        {
            statuses.Add(await broker.TryConnectDeviceAsync(bearerToken: token, forwardedFor: address, cancellationToken: ct));
        }

        return statuses;
    }

    private static Task<BrokerFixture> StartAsync(bool direct, string[]? setting = null, string burst = "1")
    {
        var settings = new Dictionary<string, string?>
        {
            ["Situk:Broker:DirectUpgrade"] = direct ? "true" : "false",
            ["Situk:Broker:ConnectBurst"] = burst,
            ["Situk:Broker:ConnectRatePerSecond"] = "1",
        };
        if (setting is [var key, var value])
        {
            settings[key] = value;
        }

        return BrokerFixture.StartAsync(settings);
    }
}
