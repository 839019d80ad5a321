using System.Net;
using Situk.Tests.Support;

namespace Situk.Tests.Broker.Auth;

[Description("With no AllowedOrigins, a device socket opened from a browser is allowed only from the broker's own device page; '*' allows any origin. Both upgrade paths answer alike.")]
public sealed class OriginPolicyTests
{
    [TestCase(true)]
    [TestCase(false)]
    public async Task By_default_only_the_brokers_own_page_and_apps_may_open_a_device_socket(bool direct)
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Situk:Broker:DirectUpgrade"] = direct ? "true" : "false",
        });
        var token = broker.Tokens.Issue("7");
        var own = $"http://{broker.DeviceEndPoint}";

        Assert.Multiple(async () =>
        {
            Assert.That(await broker.TryConnectDeviceAsync(queryToken: token, origin: "https://evil.example", cancellationToken: cts.Token), Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await broker.TryConnectDeviceAsync(queryToken: token, origin: "null", cancellationToken: cts.Token), Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await broker.TryConnectDeviceAsync(queryToken: token, origin: $"http://127.0.0.2:{broker.DeviceEndPoint.Port}", cancellationToken: cts.Token), Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await broker.TryConnectDeviceAsync(queryToken: token, origin: own, cancellationToken: cts.Token), Is.EqualTo(HttpStatusCode.SwitchingProtocols));
            Assert.That(await broker.TryConnectDeviceAsync(bearerToken: token, cancellationToken: cts.Token), Is.EqualTo(HttpStatusCode.SwitchingProtocols));
        });
    }

    [Test]
    public async Task A_star_allows_every_origin()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync(new Dictionary<string, string?> { ["Situk:Broker:AllowedOrigins"] = "*" });
        var token = broker.Tokens.Issue("7");
        Assert.That(await broker.TryConnectDeviceAsync(queryToken: token, origin: "https://elsewhere.example", cancellationToken: cts.Token), Is.EqualTo(HttpStatusCode.SwitchingProtocols));
    }
}
