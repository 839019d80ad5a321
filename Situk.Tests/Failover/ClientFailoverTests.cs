using System.Net;
using System.Net.Sockets;
using Situk.Client;
using Situk.Contracts;
using Situk.Tests.Cluster;
using Situk.Tests.Relay;
using Situk.Tests.Support;

namespace Situk.Tests.Failover;

/// <summary>
/// Situk.Client given several brokers: it gets past a dead one to a live one, moves to the other broker when
/// its broker goes away, and keeps receiving there because the cluster routes over NATS.
/// </summary>
[NonParallelizable]
public sealed class ClientFailoverTests
{
    [Test]
    [CancelAfter(60_000)]
    [Description("The first broker tried is a closed port: the client moves on and is open on the live one after one short back-off.")]
    public async Task A_dead_broker_first_in_line_is_passed_over_for_the_live_one(CancellationToken ct)
    {
        await using var live = await BrokerFixture.StartAsync(cancellationToken: ct);
        var dead = DeadBrokerUrl();
        var tried = new List<Uri>();
        await using var client = new SitukDeviceClient(new SitukClientOptions
        {
            BrokerUrls = [dead, live.DeviceUri],
            TokenProvider = _ => ValueTask.FromResult(live.Tokens.Issue("601")),
            MinBackoff = TimeSpan.FromMilliseconds(100),
            Random = RandomStartingAt(0, 2),
        });
        client.StateChanged += change =>
        {
            if (change.State is ClientState.Connecting or ClientState.Reconnecting && client.CurrentBrokerUrl is { } url)
            {
                tried.Add(url);
            }
        };

        var started = TimeProvider.System.GetTimestamp();
        client.Start();
        await client.WaitForStateAsync(ClientState.Open, ct);

        Assert.Multiple(() =>
        {
            Assert.That(tried, Does.Contain(dead), "the dead broker was tried first");
            Assert.That(client.CurrentBrokerUrl, Is.EqualTo(live.DeviceUri));
            Assert.That(client.Connections, Is.EqualTo(1));
            // One refused connect and one back-off of at most 100 ms; a client stuck on the dead broker would
            // need a minute here.
            Assert.That(TimeProvider.System.GetElapsedTime(started), Is.LessThan(TimeSpan.FromSeconds(10)));
        });
    }

    [Test]
    [CancelAfter(60_000)]
    [Description("With one URL the client stays on it: a refused connect is retried on the same broker, which it reaches once it starts.")]
    public async Task With_a_single_url_the_client_retries_that_url(CancellationToken ct)
    {
        await using var broker = await BrokerFixture.StartAsync(cancellationToken: ct);
        var port = broker.DeviceEndPoint.Port;
        await broker.StopAsync(ct);
        await using var client = new SitukDeviceClient(new SitukClientOptions
        {
            BrokerUrl = new Uri($"ws://127.0.0.1:{port}/ws"),
            TokenProvider = _ => ValueTask.FromResult(broker.Tokens.Issue("602")),
            MinBackoff = TimeSpan.FromMilliseconds(50),
            MaxBackoff = TimeSpan.FromMilliseconds(200),
        });
        client.Start();
        await client.WaitForStateAsync(ClientState.Reconnecting, ct);

        await broker.RestartAsync(ct);
        await client.WaitForStateAsync(ClientState.Open, ct);

        Assert.That(client.CurrentBrokerUrl, Is.EqualTo(new Uri($"ws://127.0.0.1:{port}/ws")));
    }

    [Test]
    [CancelAfter(60_000)]
    [Description("A token the broker refuses (401) is about the device, not the broker: the client does not move to the next broker.")]
    public async Task A_refused_token_does_not_move_the_client_to_another_broker(CancellationToken ct)
    {
        await using var first = await BrokerFixture.StartAsync(cancellationToken: ct);
        await using var second = await BrokerFixture.StartAsync(cancellationToken: ct);
        // Each connect asks for a token first; by then the previous attempt's broker is the current one.
        var tried = new List<Uri>();
        SitukDeviceClient? watched = null;
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var client = new SitukDeviceClient(new SitukClientOptions
        {
            BrokerUrls = [first.DeviceUri, second.DeviceUri],
            TokenProvider = _ =>
            {
                lock (tried)
                {
                    if (watched?.CurrentBrokerUrl is { } url)
                    {
                        tried.Add(url);
                    }

                    if (tried.Count >= 5)
                    {
                        enough.TrySetResult();
                    }
                }

                return ValueTask.FromResult("not-a-token");
            },
            MinBackoff = TimeSpan.FromMilliseconds(20),
            MaxBackoff = TimeSpan.FromMilliseconds(50),
            Random = RandomStartingAt(0, 2),
        });
        watched = client;

        client.Start();
        await enough.Task.WaitAsync(ct);

        lock (tried)
        {
            Assert.That(tried.Distinct(), Is.EqualTo(new[] { first.DeviceUri }));
        }
    }

    [Test]
    [CancelAfter(120_000)]
    [Description("The broker a device is on stops gracefully (1001): the device reconnects to the other broker and receives what is sent meanwhile and afterwards, once each.")]
    public async Task When_its_broker_stops_the_client_moves_to_the_other_and_keeps_receiving(CancellationToken ct)
    {
        await using var cluster = await ClusterSystem.StartAsync(ct);
        var user = await RelayData.CreateUserAsync(cluster.Database);
        await using var client = new SitukDeviceClient(new SitukClientOptions
        {
            BrokerUrls = [cluster.A.DeviceUri, cluster.B.DeviceUri],
            ApiUrl = cluster.Api.BaseAddress,
            TokenProvider = _ => ValueTask.FromResult(cluster.A.Tokens.Issue(user.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            DeviceClass = DeviceClasses.Desktop,
            MinBackoff = TimeSpan.FromMilliseconds(100),
            MaxBackoff = TimeSpan.FromSeconds(1),
        });
        client.Start();
        await client.WaitForStateAsync(ClientState.Open, ct);
        var (current, other) = client.CurrentBrokerUrl == cluster.A.DeviceUri ? (cluster.A, cluster.B) : (cluster.B, cluster.A);
        var before = await RelayData.NotifyAsync(cluster.Database, user);
        Assert.That((await client.Notifications.ReadAsync(ct)).Id, Is.EqualTo(before[0]));

        await current.StopAsync(ct);
        var meanwhile = await RelayData.NotifyAsync(cluster.Database, user);
        while (client.State != ClientState.Open || client.Connections < 2)
        {
            await Task.Delay(20, ct);
        }

        var after = await RelayData.NotifyAsync(cluster.Database, user);
        var received = new[] { await client.Notifications.ReadAsync(ct), await client.Notifications.ReadAsync(ct) };

        Assert.Multiple(() =>
        {
            Assert.That(client.CurrentBrokerUrl, Is.EqualTo(other.DeviceUri));
            Assert.That(received.Select(n => n.Id), Is.EquivalentTo(new[] { meanwhile[0], after[0] }));
            Assert.That(client.Notifications.TryRead(out var extra), Is.False, $"an extra notification {extra?.Id} arrived");
        });
    }

    // A loopback port nothing listens on: bound and released, so a connect is refused at once.
    private static Uri DeadBrokerUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"ws://127.0.0.1:{port}/ws");
    }

    // A seeded Random whose first Next(count) is index: the client's first broker.
    private static Random RandomStartingAt(int index, int count)
    {
        for (var seed = 1; ; seed++)
        {
            if (new Random(seed).Next(count) == index)
            {
                return new Random(seed);
            }
        }
    }
}
