using System.Net;
using System.Net.WebSockets;
using System.Text;
using Situk.Contracts;
using Situk.Tests.Hostile;
using Situk.Tests.Support;

namespace Situk.Tests.Broker.Devices;

[Description("Situk:Broker:DirectUpgrade: a device upgrade is answered on the raw connection; everything else still reaches the "
    + "HTTP pipeline untouched, and both paths give a device the same session.")]
public sealed class DirectUpgradeTests
{
    [Test]
    public async Task A_device_is_upgraded_directly_and_its_session_works_end_to_end()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync();
        await AssertSessionWorksAsync(broker, cts.Token);
        Assert.That(await UpgradesAsync(broker, cts.Token), Is.EqualTo((Direct: 1d, Http: 0d)));
    }

    [Test]
    public async Task Switched_off_every_upgrade_goes_through_the_http_pipeline_with_the_same_session()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync(new Dictionary<string, string?> { ["Situk:Broker:DirectUpgrade"] = "false" });
        await AssertSessionWorksAsync(broker, cts.Token);
        Assert.That(await UpgradesAsync(broker, cts.Token), Is.EqualTo((Direct: 0d, Http: 1d)));
    }

    [Test]
    [Description("A device that sends its request a few bytes at a time, and its first frame in the same write as the last bytes of the head.")]
    public async Task A_head_in_pieces_with_a_frame_right_behind_it_loses_no_byte()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync();
        await using var raw = await RawConnection.OpenAsync(broker.DeviceEndPoint, cts.Token);
        var head = Encoding.ASCII.GetBytes(RawHandshake.Request(broker.DeviceEndPoint, broker.Tokens.Issue("trickle"), path: "/ws?device=ios"));
        var frame = RawHandshake.Frame(1, Encoding.UTF8.GetBytes("""{"type":"subscribe"}"""));
        for (var i = 0; i < head.Length - 3; i += 7)
        {
            await raw.SendAsync(head[i..Math.Min(i + 7, head.Length - 3)], cts.Token);
            await Task.Delay(2, cts.Token);
        }

        await raw.SendAsync([.. head[^3..], .. frame], cts.Token);

        Assert.That(RawConnection.StatusOf(await raw.ReadHeadAsync(cts.Token)), Is.EqualTo(101));
        var (_, welcome) = await RawHandshake.ReadServerFrameAsync(raw, cts.Token);
        Assert.That(Encoding.UTF8.GetString(welcome), Does.Contain("\"welcome\""));
        Assert.That(await RawHandshake.ReadCloseCodeAsync(raw, cts.Token), Is.EqualTo(CloseCodes.PolicyViolation), "the frame behind the head was read");
        Assert.That((await UpgradesAsync(broker, cts.Token)).Direct, Is.EqualTo(1));
    }

    [Test]
    [Description("A connection whose first request is plain HTTP stays with the HTTP pipeline for its whole life: a later upgrade on it still works.")]
    public async Task An_upgrade_after_a_plain_request_on_the_same_connection_goes_through_http()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync();
        await using var raw = await RawConnection.OpenAsync(broker.DeviceEndPoint, cts.Token);
        await raw.SendAsync($"GET /healthz HTTP/1.1\r\nHost: {broker.DeviceEndPoint}\r\n\r\n", cts.Token);
        var health = await raw.ReadHeadAsync(cts.Token);
        Assert.That(RawConnection.StatusOf(health), Is.EqualTo(200), health);
        var length = int.Parse(health.Split("\r\n").Single(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))[15..].Trim());
        await raw.ReadAsync(length, cts.Token);

        await raw.SendAsync(RawHandshake.Request(broker.DeviceEndPoint, broker.Tokens.Issue("second-request")), cts.Token);

        Assert.That(RawConnection.StatusOf(await raw.ReadHeadAsync(cts.Token)), Is.EqualTo(101));
        var (_, welcome) = await RawHandshake.ReadServerFrameAsync(raw, cts.Token);
        Assert.That(Encoding.UTF8.GetString(welcome), Does.Contain("\"welcome\""), "a session is listed before its welcome is written");
        Assert.That(await broker.SessionsAsync("second-request", cts.Token), Has.Length.EqualTo(1));
        Assert.That(await UpgradesAsync(broker, cts.Token), Is.EqualTo((Direct: 0d, Http: 1d)));
    }

    [Test]
    [Description("A refused upgrade is answered by the HTTP pipeline; the direct path spent none of the address's connection tokens on it.")]
    public async Task A_refused_upgrade_spends_one_rate_token_not_two()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Situk:Broker:ConnectBurst"] = "2",
            ["Situk:Broker:ConnectRatePerSecond"] = "1",
        });

        Assert.That(await broker.TryConnectDeviceAsync(bearerToken: "not-a-token", cancellationToken: cts.Token), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await broker.TryConnectDeviceAsync(bearerToken: broker.Tokens.Issue("rated"), cancellationToken: cts.Token), Is.EqualTo(HttpStatusCode.SwitchingProtocols));
    }

    [Test]
    [Description("At the connection cap the direct path takes no token either: the 503 comes from the HTTP pipeline, and the slot is free again after.")]
    public async Task At_the_cap_a_device_gets_503_and_the_next_one_gets_in_once_a_slot_is_free()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync(new Dictionary<string, string?> { ["Situk:Broker:MaxConnections"] = "1" });
        var (first, _) = await broker.ConnectDeviceWithWelcomeAsync("holder", cancellationToken: cts.Token);
        Assert.That(await broker.TryConnectDeviceAsync(bearerToken: broker.Tokens.Issue("waiting"), cancellationToken: cts.Token), Is.EqualTo(HttpStatusCode.ServiceUnavailable));

        await first.CloseAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);
        first.Dispose();
        // The slot is given back once the session has wound down, a moment after it leaves the registry.
        await AdminCalls.EventuallyAsync(() => Task.FromResult(broker.Service<Situk.Broker.Limits.ConnectionGate>().Open == 0), cts.Token);

        Assert.That(await broker.TryConnectDeviceAsync(bearerToken: broker.Tokens.Issue("waiting"), cancellationToken: cts.Token), Is.EqualTo(HttpStatusCode.SwitchingProtocols));
    }

    [Test]
    [Description("More half-open handshakes than the listener looks at at once: the overflow goes to Kestrel, every one is dropped "
        + "after the handshake timeout on either side, and a device still gets in meanwhile.")]
    public async Task Half_open_handshakes_past_the_undecided_bound_are_dropped_by_kestrel_and_a_device_still_gets_in()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync(new Dictionary<string, string?> { ["Situk:Broker:HandshakeTimeoutSeconds"] = "2" });
        var stalled = new List<RawConnection>();
        for (var i = 0; i < Situk.Broker.Transport.DeviceListener.MaxUndecided + 44; i++)
        {
            var raw = await RawConnection.OpenAsync(broker.DeviceEndPoint, cts.Token);
            await raw.SendAsync($"GET /ws HTTP/1.1\r\nHost: {broker.DeviceEndPoint}\r\n", cts.Token);
            stalled.Add(raw);
        }

        var (device, _) = await broker.ConnectDeviceWithWelcomeAsync("past-the-bound", cancellationToken: cts.Token);
        device.Dispose();

        foreach (var raw in stalled)
        {
            await raw.ReadToEndAsync(cts.Token);
            await raw.DisposeAsync();
        }

        Assert.That(broker.Service<Situk.Broker.Limits.ConnectionGate>().Open, Is.Zero);
    }

    private static async Task AssertSessionWorksAsync(BrokerFixture broker, CancellationToken cancellationToken)
    {
        using var device = await broker.ConnectDeviceAsync("both-paths", device: "android", cancellationToken: cancellationToken);
        var welcome = await device.ReceiveWelcomeAsync(cancellationToken);
        var session = (await broker.SessionsAsync("both-paths", cancellationToken)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(session.SessionId, Is.EqualTo(welcome.SessionId));
            Assert.That(session.DeviceClass, Is.EqualTo("android"));
            Assert.That(session.RemoteAddress, Is.EqualTo("127.0.0.1"));
        });

        await broker.PublishAsync(Audience.Users("both-paths"), "over either path", cancellationToken);
        var notification = await device.ReceiveNotificationAsync(cancellationToken);
        await device.SendFrameAsync(new AckFrame([notification.Id]), cancellationToken);
        await AdminCalls.EventuallyAsync(async () => (await broker.StatsAsync(cancellationToken)).Acks == 1, cancellationToken);
        await device.CloseAsync(WebSocketCloseStatus.NormalClosure, "", cancellationToken);

        await AdminCalls.EventuallyAsync(async () => (await broker.StatsAsync(cancellationToken)).Connections == 0, cancellationToken);
    }

    private static async Task<(double Direct, double Http)> UpgradesAsync(BrokerFixture broker, CancellationToken cancellationToken)
    {
        using var admin = broker.CreateAdminClient();
        var samples = PrometheusText.Parse(await admin.GetStringAsync("metrics", cancellationToken));
        return (PrometheusText.Sum(samples, "situk_broker_upgrades{path=\"direct\""), PrometheusText.Sum(samples, "situk_broker_upgrades{path=\"http\""));
    }
}
