using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Broker.Sessions;

[Description("WebSocket pings with a pong deadline: a peer that stops answering is dropped and its presence updated.")]
public sealed class KeepaliveTests
{
    [Test]
    public async Task Peer_that_never_answers_pings_is_dropped_and_reported_offline()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Situk:Broker:HeartbeatSeconds"] = "1",
            ["Situk:Broker:HeartbeatTimeoutSeconds"] = "2",
        });
        using var link = await broker.ConnectInternalAsync(cancellationToken: cts.Token);
        await link.ReceiveInternalAsync<OnlineUsersFrame>(null, cts.Token);

        // A client that never calls ReceiveAsync never processes (or answers) a ping.
        using var silent = await broker.ConnectDeviceAsync("silent", cancellationToken: cts.Token);

        Assert.That(await link.ReceiveInternalAsync<PresenceFrame>(p => p.UserId == "silent", cts.Token), Is.EqualTo(new PresenceFrame("silent", true, 1)));
        Assert.That(await link.ReceiveInternalAsync<PresenceFrame>(p => p.UserId == "silent", cts.Token), Is.EqualTo(new PresenceFrame("silent", false, 0)));
        Assert.That((await broker.StatsAsync(cts.Token)).Connections, Is.Zero);
    }
}
