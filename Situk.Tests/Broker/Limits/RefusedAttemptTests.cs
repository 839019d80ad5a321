using System.Net;
using Situk.Tests.Support;

namespace Situk.Tests.Broker.Limits;

[Description("A refused attempt (bad token, foreign origin) spends only its address's refusal budget, never the connection tokens valid devices need; on both upgrade paths.")]
public sealed class RefusedAttemptTests
{
    [TestCase(true)]
    [TestCase(false)]
    public async Task Bad_tokens_spend_no_connection_token(bool direct)
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Situk:Broker:DirectUpgrade"] = direct ? "true" : "false",
            ["Situk:Broker:ConnectBurst"] = "2",
            ["Situk:Broker:ConnectRatePerSecond"] = "1",
        });

        for (var i = 0; i < 10; i++)
        {
            Assert.That(await broker.TryConnectDeviceAsync(bearerToken: "not-a-token", cancellationToken: cts.Token), Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        Assert.That(await broker.TryConnectDeviceAsync(queryToken: broker.Tokens.Issue("7"), origin: "https://evil.example", cancellationToken: cts.Token), Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.Multiple(async () =>
        {
            Assert.That(await broker.TryConnectDeviceAsync(bearerToken: broker.Tokens.Issue("first"), cancellationToken: cts.Token), Is.EqualTo(HttpStatusCode.SwitchingProtocols));
            Assert.That(await broker.TryConnectDeviceAsync(bearerToken: broker.Tokens.Issue("second"), cancellationToken: cts.Token), Is.EqualTo(HttpStatusCode.SwitchingProtocols));
        });
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task Past_its_refusal_budget_an_address_hears_429_and_a_valid_device_there_still_gets_in(bool direct)
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Situk:Broker:DirectUpgrade"] = direct ? "true" : "false",
            ["Situk:Broker:RefusedBurst"] = "3",
            ["Situk:Broker:RefusedRatePerSecond"] = "1",
        });

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            statuses.Add(await broker.TryConnectDeviceAsync(bearerToken: broker.Tokens.Expired("late"), cancellationToken: cts.Token));
        }

        Assert.Multiple(async () =>
        {
            Assert.That(statuses.Take(3), Is.All.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(statuses, Has.Some.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(statuses, Is.All.AnyOf(HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests));
            Assert.That(await broker.TryConnectDeviceAsync(bearerToken: broker.Tokens.Issue("valid"), cancellationToken: cts.Token), Is.EqualTo(HttpStatusCode.SwitchingProtocols));
        });
    }
}
