using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Situk.Client;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Faults;

[Category("Faults")]
[NonParallelizable]
[Description(
    "A device's network vanishes without a close frame or a FIN (a TCP proxy drops every byte both ways): the broker, " +
    "pinging every second with a two-second pong deadline, drops the session, the broker and the API report the user " +
    "offline, and what was sent meanwhile — before and after the broker noticed — reaches the device when it reconnects.")]
public sealed class VanishedNetworkTests
{
    private const int HeartbeatSeconds = 1;
    private const int HeartbeatTimeoutSeconds = 2;

    [Test]
    public async Task Broker_drops_a_silent_device_within_its_heartbeat_timeout_and_the_device_gets_everything_on_reconnect()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = cts.Token;
        await using var system = await ChildSystem.StartAsync(new Dictionary<string, string>
        {
            ["Situk:Broker:HeartbeatSeconds"] = HeartbeatSeconds.ToString(CultureInfo.InvariantCulture),
            ["Situk:Broker:HeartbeatTimeoutSeconds"] = HeartbeatTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
        }, ct);
        await using var proxy = await TcpProxy.StartAsync(new IPEndPoint(IPAddress.Loopback, system.Broker.DevicePort));
        using var brokerAdmin = system.Broker.CreateAdminClient();
        var user = await system.InsertAsesiAsync(ct);
        var userId = user.ToString(CultureInfo.InvariantCulture);

        var received = new List<string>();
        // The device's own pings are far apart here: only the broker can notice in time.
        await using var device = DeviceThrough(proxy, system, userId, keepAlive: (TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)));
        device.Start();
        await device.WaitForStateAsync(ClientState.Open, ct);
        await system.SendAsync(user, "Sebelum", ct);
        await ReadAsync(device, received, 1, ct);
        Assert.That(await BrokerSessionsAsync(brokerAdmin, userId, ct), Is.EqualTo(1));

        proxy.Blackhole();
        var silent = Stopwatch.StartNew();
        // Queued to a session the broker still believes in: written into the void.
        await system.SendAsync(user, "Saat hilang 1", ct);
        await system.SendAsync(user, "Saat hilang 2", ct);

        var noticed = await Eventually.WaitAsync(async () => await BrokerSessionsAsync(brokerAdmin, userId, ct) == 0, TimeSpan.FromSeconds(30), ct);
        var noticedAfter = silent.Elapsed;
        TestContext.Progress.WriteLine($"broker dropped the silent session after {noticedAfter.TotalSeconds:F1} s");
        var apiSessions = await system.Admin.GetFromJsonAsync($"api/v1/admin/broker/sessions?userId={userId}", SitukJson.Default.SessionInfoArray, ct);
        // Sent while the user is offline: stored, pushed to nobody.
        await system.SendAsync(user, "Setelah terputus", ct);
        Assert.Multiple(() =>
        {
            Assert.That(noticed, Is.True, "the broker dropped the silent session");
            Assert.That(noticedAfter, Is.LessThan(TimeSpan.FromSeconds(HeartbeatSeconds + HeartbeatTimeoutSeconds + 7)),
                "noticed within a ping interval and the pong deadline (plus slack for a busy machine), not the default 40 s");
            Assert.That(apiSessions, Is.Empty, "the API sees the user offline too");
            Assert.That(device.State, Is.EqualTo(ClientState.Open), "the device itself heard nothing: no close frame, no FIN");
        });

        // The network returns; the broker's kernel answers the device's next packet with RST.
        proxy.Restore();
        await ReadAsync(device, received, 4, ct);
        var delivered = await Eventually.WaitAsync(
            async () => await system.ScalarAsync<long>($"SELECT count(*) FROM notifications WHERE user_id = {user} AND delivered_at IS NULL", ct) == 0,
            TimeSpan.FromSeconds(30), ct);
        Assert.Multiple(() =>
        {
            Assert.That(received, Is.EquivalentTo(new[] { "Sebelum", "Saat hilang 1", "Saat hilang 2", "Setelah terputus" }), "each once, none lost");
            Assert.That(device.Connections, Is.EqualTo(2), "one reconnect");
            Assert.That(delivered, Is.True, "every notification ends acked, delivered_at set");
            Assert.That(proxy.Accepted, Is.EqualTo(2), "the device came back through the same network");
            Assert.That(system.Broker.Process.Failures.Concat(system.Api.Process.Failures), Is.Empty, "no error or critical log line");
        });
    }

    [Test]
    [Description(
        "The device moves to another network: its old connection goes silent for good (nothing ever answers, nothing resets it). " +
        "The device must find that out by itself, from its own pings, reconnect, and get what was sent meanwhile.")]
    public async Task Device_whose_connection_went_silent_for_good_finds_out_by_itself_and_gets_everything()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = cts.Token;
        await using var system = await ChildSystem.StartAsync(new Dictionary<string, string>
        {
            ["Situk:Broker:HeartbeatSeconds"] = HeartbeatSeconds.ToString(CultureInfo.InvariantCulture),
            ["Situk:Broker:HeartbeatTimeoutSeconds"] = HeartbeatTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
        }, ct);
        await using var proxy = await TcpProxy.StartAsync(new IPEndPoint(IPAddress.Loopback, system.Broker.DevicePort));
        var user = await system.InsertAsesiAsync(ct);
        var userId = user.ToString(CultureInfo.InvariantCulture);
        var received = new List<string>();
        await using var device = DeviceThrough(proxy, system, userId, keepAlive: (TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)));
        device.Start();
        await device.WaitForStateAsync(ClientState.Open, ct);
        await system.SendAsync(user, "Sebelum", ct);
        await ReadAsync(device, received, 1, ct);

        proxy.Strand();
        await system.SendAsync(user, "Saat pindah jaringan", ct);
        var reconnected = await Eventually.WaitAsync(() => Task.FromResult(device.Connections == 2), TimeSpan.FromSeconds(30), ct);
        Assert.That(reconnected, Is.True, "the device noticed its dead connection and reconnected by itself");
        await ReadAsync(device, received, 2, ct);
        Assert.That(received, Is.EqualTo(new[] { "Sebelum", "Saat pindah jaringan" }));
    }

    /// <summary>A .NET device client that reaches the broker through <paramref name="proxy"/>, reconnecting quickly, with this ping interval and deadline.</summary>
    private static SitukDeviceClient DeviceThrough(TcpProxy proxy, ChildSystem system, string userId, (TimeSpan Interval, TimeSpan Timeout) keepAlive) =>
        new(new SitukClientOptions
        {
            BrokerUrl = new Uri($"ws://127.0.0.1:{proxy.Port}/ws"),
            ApiUrl = system.Api.BaseAddress,
            TokenProvider = _ => ValueTask.FromResult(system.Tokens.Issue(userId)),
            MinBackoff = TimeSpan.FromMilliseconds(200),
            MaxBackoff = TimeSpan.FromSeconds(1),
            KeepAliveInterval = keepAlive.Interval,
            KeepAliveTimeout = keepAlive.Timeout,
        });

    private static async Task ReadAsync(SitukDeviceClient device, List<string> received, int count, CancellationToken ct)
    {
        while (received.Count < count)
        {
            received.Add((await device.Notifications.ReadAsync(ct)).Title);
        }
    }

    private static async Task<int> BrokerSessionsAsync(HttpClient admin, string userId, CancellationToken ct) =>
        (await admin.GetFromJsonAsync($"admin/sessions?userId={userId}", SitukJson.Default.SessionInfoArray, ct))!.Length;
}
