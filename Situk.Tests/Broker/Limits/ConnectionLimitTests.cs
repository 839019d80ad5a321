using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using Situk.Broker.Limits;
using Situk.Tests.Support;

namespace Situk.Tests.Broker.Limits;

[Description("Admission limits answer over HTTP before any upgrade, and never take the process down.")]
public sealed class ConnectionLimitTests
{
    [Test]
    public async Task Device_past_MaxConnections_gets_503_before_upgrade()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync(new Dictionary<string, string?> { ["Situk:Broker:MaxConnections"] = "3" });
        var open = new List<ClientWebSocket>();
        for (var i = 0; i < 3; i++)
        {
            open.Add(await broker.ConnectDeviceAsync("capacity-" + i, cancellationToken: cts.Token));
        }

        var asked = Stopwatch.StartNew();
        var refused = await broker.TryConnectDeviceAsync(bearerToken: broker.Tokens.Issue("one-too-many"), cancellationToken: cts.Token);
        Assert.That(refused, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(asked.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)), "a refusal is prompt, not a timeout");

        await open[0].CloseAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);
        await AdminCalls.EventuallyAsync(() => Task.FromResult(broker.Service<ConnectionGate>().Open < 3), cts.Token);
        var admitted = await broker.TryConnectDeviceAsync(bearerToken: broker.Tokens.Issue("room-again"), cancellationToken: cts.Token);
        Assert.That(admitted, Is.EqualTo(HttpStatusCode.SwitchingProtocols), "a freed slot is usable again");

        foreach (var socket in open)
        {
            socket.Dispose();
        }
    }

    [Test]
    public async Task Address_over_its_connection_rate_gets_429()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Situk:Broker:ConnectRatePerSecond"] = "1",
            ["Situk:Broker:ConnectBurst"] = "2",
        });
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            statuses.Add(await broker.TryConnectDeviceAsync(bearerToken: broker.Tokens.Issue("eager"), cancellationToken: cts.Token));
        }

        Assert.Multiple(() =>
        {
            Assert.That(statuses[0], Is.EqualTo(HttpStatusCode.SwitchingProtocols));
            Assert.That(statuses, Has.Some.EqualTo(HttpStatusCode.TooManyRequests));
        });
    }

    [Test]
    public void Default_connection_cap_leaves_headroom_below_the_open_file_limit()
    {
        var limit = OpenFileLimit.Read();
        var cap = OpenFileLimit.DefaultMaxConnections();
        Assert.That(cap, Is.LessThanOrEqualTo(Math.Max(64, limit - OpenFileLimit.Headroom)));
    }
}
