using Situk.Broker.Sessions;
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

    [Test]
    [Description("The broker's sweep pings a direct socket every heartbeat (no timer of the socket's own): a device that answers "
        + "each ping stays; one that stops is dropped between its timeout and one sweep later, not before and not a timeout-sized while after.")]
    public async Task A_device_that_answers_pings_stays_and_one_that_stops_is_dropped_within_a_sweep_of_its_timeout()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Situk:Broker:HeartbeatSeconds"] = "1",
            ["Situk:Broker:HeartbeatTimeoutSeconds"] = "2",
        });
        using var device = await RawDevice.ConnectAsync(broker.DeviceEndPoint.Port, broker.Tokens.Issue("answering", Roles.Asesi), cts.Token);
        Assert.That((await device.ReadFrameAsync(cts.Token)).Opcode, Is.EqualTo(RawFrame.Text), "the welcome");

        // Six seconds of answering: well past heartbeat + timeout, so an unanswered-looking ping would have dropped it.
        var answering = System.Diagnostics.Stopwatch.StartNew();
        var pings = 0;
        var lastPing = System.Diagnostics.Stopwatch.StartNew();
        while (answering.Elapsed < TimeSpan.FromSeconds(6))
        {
            var frame = await device.ReadFrameAsync(cts.Token);
            Assert.That(frame is { Opcode: RawFrame.Ping, Masked: false, Final: true } && frame.Payload.Length == 0, Is.True, $"opcode {frame.Opcode}");
            pings++;
            lastPing.Restart();
            await device.SendPongAsync([], cts.Token);
        }

        Assert.That(pings, Is.InRange(3, 7), "a ping every heartbeat or sweep (1 s), never a burst");
        Assert.That(broker.Service<SessionRegistry>().ForUser("answering"), Has.Length.EqualTo(1), "still connected");

        // Now silent: the next ping goes unanswered, and the socket ends 2 s (the timeout) to 3 s (one sweep more) after it.
        var next = await device.ReadFrameAsync(cts.Token);
        Assert.That(next.Opcode, Is.EqualTo(RawFrame.Ping));
        var unanswered = System.Diagnostics.Stopwatch.StartNew();
        Assert.That(async () => await device.ReadFrameAsync(cts.Token), Throws.InstanceOf<EndOfStreamException>().Or.InstanceOf<IOException>());
        Assert.That(unanswered.Elapsed, Is.InRange(TimeSpan.FromSeconds(1.8), TimeSpan.FromSeconds(4)), "dropped after its timeout, within a sweep");
        await AdminCalls.EventuallyAsync(() => Task.FromResult(broker.Service<SessionRegistry>().ForUser("answering").Length == 0), cts.Token);
    }
}
