using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Situk.Broker.Limits;
using Situk.Contracts;
using Situk.Tests.Broker;
using Situk.Tests.Support;

namespace Situk.Tests.Hostile;

[Category("Hostile")]
[Description("Floods and stalls from one address: the per-address rate (429), the handshake timeout and the connection cap bound "
    + "them, and devices elsewhere keep working.")]
public sealed class DeviceFloodTests
{
    [Test]
    [Description("Slowloris: a request line and one header, then nothing. Kestrel's RequestHeadersTimeout (HandshakeTimeoutSeconds) drops it.")]
    public async Task Half_open_handshakes_are_dropped_after_the_handshake_timeout_while_devices_keep_working()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync(new Dictionary<string, string?> { ["Situk:Broker:HandshakeTimeoutSeconds"] = "2" });
        var stalled = new List<RawConnection>();
        for (var i = 0; i < 50; i++)
        {
            var raw = await RawConnection.OpenAsync(broker.DeviceEndPoint, cts.Token);
            await raw.SendAsync($"GET /ws HTTP/1.1\r\nHost: {broker.DeviceEndPoint}\r\n", cts.Token);
            stalled.Add(raw);
        }

        // While they stall, a real device connects, receives and acks.
        var (device, _) = await broker.ConnectDeviceWithWelcomeAsync("patient", cancellationToken: cts.Token);
        using (device)
        {
            await broker.PublishAsync(Audience.Users("patient"), "not blocked", cts.Token);
            Assert.That((await device.ReceiveNotificationAsync(cts.Token)).Title, Is.EqualTo("not blocked"));
        }

        foreach (var raw in stalled)
        {
            // ReadToEnd returns only when the server closes the connection (after a 408, or without a word);
            // a broker that kept it open would run into the test's deadline and fail it.
            await raw.ReadToEndAsync(cts.Token);
            await raw.DisposeAsync();
        }

        Assert.That(broker.Service<ConnectionGate>().Open, Is.Zero, "a stalled handshake never took a device slot");
    }

    [Test]
    [Description("1,000 connection attempts at once from 127.0.0.1 at 20/s, burst 200 (below the defaults, to see the bucket at work): the burst is admitted, "
        + "the rest get 429 before any upgrade, nothing else happens, and a device from another address is admitted at once.")]
    public async Task A_thousand_connects_a_second_from_one_address_are_bounded_by_its_rate_and_others_are_unaffected()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var broker = await BrokerFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Situk:Broker:ConnectRatePerSecond"] = "20",
            ["Situk:Broker:ConnectBurst"] = "200",
        });
        var before = MemoryBound.Measure();
        var token = broker.Tokens.Issue("flooder");
        using var flooder = Invoker(IPAddress.Loopback);

        var flood = Stopwatch.StartNew();
        var statuses = await Task.WhenAll(Enumerable.Range(0, 1000).Select(async _ =>
        {
            using var socket = new ClientWebSocket();
            socket.Options.CollectHttpResponseDetails = true;
            socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
            try
            {
                await socket.ConnectAsync(broker.DeviceUri, flooder, cts.Token);
                socket.Abort();
            }
            catch (WebSocketException)
            {
                // Refused before the upgrade; the status says why.
            }

            return socket.HttpStatusCode;
        }));

        // However long the flood took on this machine, the bucket admits its burst plus one refill per second, no more.
        var admissible = 200 + (20 * ((int)flood.Elapsed.TotalSeconds + 1));
        var byStatus = statuses.GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
        Assert.Multiple(() =>
        {
            Assert.That(byStatus.Keys, Is.SubsetOf(new[] { HttpStatusCode.SwitchingProtocols, HttpStatusCode.TooManyRequests }), string.Join(", ", byStatus));
            Assert.That(byStatus.GetValueOrDefault(HttpStatusCode.SwitchingProtocols), Is.InRange(1, admissible), "the burst and what refilled meanwhile");
            Assert.That(byStatus.GetValueOrDefault(HttpStatusCode.TooManyRequests), Is.GreaterThanOrEqualTo(1000 - admissible));
        });

        // Another device, from 127.0.0.2, has a bucket of its own.
        using var elsewhere = Invoker(IPAddress.Parse("127.0.0.2"));
        using (var device = new ClientWebSocket())
        {
            device.Options.SetRequestHeader("Authorization", "Bearer " + broker.Tokens.Issue("bystander"));
            await device.ConnectAsync(broker.DeviceUri, elsewhere, cts.Token);
            await device.ReceiveWelcomeAsync(cts.Token);
            await broker.PublishAsync(Audience.Users("bystander"), "unaffected", cts.Token);
            Assert.That((await device.ReceiveNotificationAsync(cts.Token)).Title, Is.EqualTo("unaffected"));
            await device.CloseAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);
        }

        await AdminCalls.EventuallyAsync(
            async () => (await broker.StatsAsync(cts.Token)).Connections == 0 && broker.Service<ConnectionGate>().Open == 0, cts.Token);
        MemoryBound.AssertGrowthBounded(before, "1,000 connection attempts");
    }

    private static HttpMessageInvoker Invoker(IPAddress local) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = int.MaxValue,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(local, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    });
}
