using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using Situk.Broker.Options;
using Situk.Tests.Support;

namespace Situk.Tests.Broker.Limits;

[Description("A test-site lab behind one NAT address, at the production admission defaults: a whole lab reconnecting at once "
    + "is admitted, even while a client at the same address hammers the broker with bad tokens.")]
public sealed class LabReconnectStormTests
{
    private const int Lab = 300;

    [Test]
    public async Task Three_hundred_devices_from_one_address_all_get_in_while_bad_tokens_hammer_from_it()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var defaults = new BrokerOptions();
        await using var broker = await BrokerFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Situk:Broker:ConnectRatePerSecond"] = Invariant(defaults.ConnectRatePerSecond),
            ["Situk:Broker:ConnectBurst"] = Invariant(defaults.ConnectBurst),
            ["Situk:Broker:RefusedRatePerSecond"] = Invariant(defaults.RefusedRatePerSecond),
            ["Situk:Broker:RefusedBurst"] = Invariant(defaults.RefusedBurst),
        });

        using var stormOver = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        var bad = new ConcurrentBag<HttpStatusCode>();
        var hammers = Enumerable.Range(0, 4).Select(_ => HammerAsync(broker, bad, stormOver.Token)).ToArray();
        while (bad.Count < 100)
        {
            await Task.Delay(10, cts.Token);
        }

        var devices = await Task.WhenAll(Enumerable.Range(0, Lab).Select(async i =>
        {
            var socket = new ClientWebSocket();
            socket.Options.CollectHttpResponseDetails = true;
            socket.Options.SetRequestHeader("Authorization", "Bearer " + broker.Tokens.Issue("candidate-" + i));
            try
            {
                await socket.ConnectAsync(broker.DeviceUri, cts.Token);
                await socket.ReceiveWelcomeAsync(cts.Token);
            }
            catch (WebSocketException)
            {
                // Refused: the status is counted below.
            }

            return socket;
        }));
        await stormOver.CancelAsync();
        await Task.WhenAll(hammers);

        var statuses = devices.Select(d => d.HttpStatusCode).GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
        Assert.Multiple(() =>
        {
            Assert.That(statuses.GetValueOrDefault(HttpStatusCode.SwitchingProtocols), Is.EqualTo(Lab), string.Join(", ", statuses));
            Assert.That(bad, Has.Count.GreaterThanOrEqualTo(100), "the bad tokens kept coming");
            Assert.That(bad, Is.All.AnyOf(HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests));
        });

        foreach (var device in devices)
        {
            device.Abort();
            device.Dispose();
        }
    }

    private static async Task HammerAsync(BrokerFixture broker, ConcurrentBag<HttpStatusCode> statuses, CancellationToken until)
    {
        while (!until.IsCancellationRequested)
        {
            try
            {
                statuses.Add(await broker.TryConnectDeviceAsync(bearerToken: "forged.token.value", cancellationToken: until));
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
