using System.Net.Http.Json;
using System.Net.WebSockets;
using Situk.Tests.Support;

namespace Situk.Tests.Cluster;

/// <summary>
/// A cluster on loopback: one real <c>nats-server</c>, two brokers (<see cref="A"/>, <see cref="B"/>) and two
/// API instances sharing one PostgreSQL database, every part pointed at the NATS server by
/// <c>Situk:Nats:Url</c> and none at another by an internal socket.
/// </summary>
internal sealed class ClusterSystem : IAsyncDisposable
{
    private ClusterSystem(NatsServer nats, BrokerFixture a, BrokerFixture b, ApiFixture api, ApiFixture secondApi)
    {
        Nats = nats;
        A = a;
        B = b;
        Api = api;
        SecondApi = secondApi;
    }

    public NatsServer Nats { get; }

    public BrokerFixture A { get; }

    public BrokerFixture B { get; }

    public ApiFixture Api { get; }

    public ApiFixture SecondApi { get; }

    public TestDatabase Database => Api.Database;

    public static async Task<ClusterSystem> StartAsync(CancellationToken ct) =>
        await StartAsync(await NatsServer.StartAsync(ct), new Dictionary<string, string?>(), ct);

    /// <summary>The cluster on <paramref name="nats"/>, which it then owns; every broker and API instance also gets <paramref name="natsSettings"/> (<c>Situk:Nats:…</c>: its sign-in and TLS).</summary>
    public static Task<ClusterSystem> StartAsync(NatsServer nats, IReadOnlyDictionary<string, string?> natsSettings, CancellationToken ct) =>
        StartAsync(nats, natsSettings, natsSettings, ct);

    /// <summary>As above, the brokers with <paramref name="brokerNats"/> and the API instances with <paramref name="apiNats"/>: each role its own NATS user.</summary>
    public static async Task<ClusterSystem> StartAsync(
        NatsServer nats, IReadOnlyDictionary<string, string?> brokerNats, IReadOnlyDictionary<string, string?> apiNats, CancellationToken ct)
    {
        var a = await BrokerFixture.StartAsync(With(Broker(nats, "broker-a"), brokerNats), cancellationToken: ct);
        var b = await BrokerFixture.StartAsync(With(Broker(nats, "broker-b"), brokerNats), cancellationToken: ct);
        var api = await ApiFixture.StartAsync(With(ApiSettings(nats, "api-1", a), apiNats));
        var secondSettings = With(ApiSettings(nats, "api-2", a), apiNats);
        secondSettings["ConnectionStrings:Situk"] = api.ConnectionString;
        var second = await ApiFixture.StartAsync(secondSettings);
        var system = new ClusterSystem(nats, a, b, api, second);
        await system.WaitUntilReadyAsync(api, ct);
        await system.WaitUntilReadyAsync(second, ct);
        return system;
    }

    /// <summary>A device socket of <paramref name="userId"/> on <paramref name="broker"/>, welcome read, followed on NATS once this returns.</summary>
    public async Task<ClientWebSocket> ConnectAsync(BrokerFixture broker, long userId, CancellationToken ct)
    {
        var socket = await broker.ConnectDeviceAsync(userId.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken: ct);
        await socket.ReceiveWelcomeAsync(ct);
        return socket;
    }

    /// <summary>
    /// Connects a device of <paramref name="userId"/> to <paramref name="broker"/> and waits until the presence re-send
    /// that connect causes is over, so a notification written afterwards reaches the device by the push relay
    /// alone: a notification with no outbox row (only a re-send carries it) is written first, the device (and the
    /// user's devices already connected, <paramref name="others"/>) receive it, and it is acked and stored as delivered.
    /// </summary>
    public async Task<ClientWebSocket> ConnectSettledAsync(BrokerFixture broker, long userId, CancellationToken ct, params ClientWebSocket[] others)
    {
        var marker = await InsertUnsentAsync(userId, "Marker");
        var socket = await ConnectAsync(broker, userId, ct);
        foreach (var device in others.Prepend(socket))
        {
            var received = await device.ReceiveNotificationAsync(ct);
            if (received.Id != marker)
            {
                throw new InvalidOperationException($"Expected the marker {marker} first, got {received.Id}.");
            }
        }

        await socket.SendTextAsync($$"""{"type":"ack","ids":[{{marker}}]}""", ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var uplink = broker.Service<Situk.Broker.Cluster.NatsUplink>();
        while (uplink.ReceiptBacklogBytes > 0
            || !await Relay.RelayData.ScalarAsync<bool>(Database, "SELECT delivered_at IS NOT NULL FROM notifications WHERE id = @marker", new { marker }))
        {
            await Task.Delay(50, timeout.Token);
        }

        return socket;
    }

    /// <summary>
    /// Writes a notification to <paramref name="userId"/> through the outbox, checks that <paramref name="device"/> gets it,
    /// acks it and waits until its receipt is stored (<paramref name="what"/> names that path in a failure).
    /// </summary>
    public async Task DeliverAndStoreReceiptAsync(ClientWebSocket device, long userId, string what, CancellationToken ct)
    {
        var id = (await Relay.RelayData.NotifyAsync(Database, userId)).Single();
        var received = await device.ReceiveNotificationAsync(ct);
        Assert.That(received.Id, Is.EqualTo(id), "the device got another notification first");
        await device.SendTextAsync($$"""{"type":"ack","ids":[{{id}}]}""", ct);
        await Relay.RelayData.EventuallyAsync(
            async () => await Relay.RelayData.ScalarAsync<bool>(Database, "SELECT delivered_at IS NOT NULL FROM notifications WHERE id = @id", new { id }),
            what);
    }

    /// <summary>A notification written without its outbox row: as if its publish had been lost, only a presence re-send carries it.</summary>
    public async Task<long> InsertUnsentAsync(long userId, string title)
    {
        await using var connection = Database.Open();
        return await Dapper.SqlMapper.ExecuteScalarAsync<long>(
            connection,
            // Published once and lost: its push row is already forwarded, so only a re-send carries it.
            """
            WITH n AS (
                INSERT INTO notifications (user_id, kind, title, body) VALUES (@userId, 'registration.verified', @title, 'Only a re-send carries this')
                RETURNING id
            ), o AS (
                INSERT INTO push_outbox (notification_id, state, forwarded_at) SELECT id, 'forwarded', clock_timestamp() FROM n
            )
            SELECT id FROM n
            """,
            new { userId, title });
    }

    public async ValueTask DisposeAsync()
    {
        await SecondApi.DisposeAsync();
        await Api.DisposeAsync();
        await B.DisposeAsync();
        await A.DisposeAsync();
        await Nats.DisposeAsync();
    }

    private static Dictionary<string, string?> Broker(NatsServer nats, string name) => new()
    {
        ["Situk:Nats:Url"] = nats.Url,
        ["Situk:Nats:Name"] = name,
        ["Situk:Nats:RetryBaseDelay"] = "00:00:00.050",
        ["Situk:Nats:RetryMaxDelay"] = "00:00:00.500",
        // These tests put devices on the broker they name (2,000 on one in ConnectStormTests); rebalancing would move
        // them. It is tested on processes in BrokerFailoverFaultTests.
        ["Situk:Cluster:Rebalance:Enabled"] = "false",
    };

    private static Dictionary<string, string?> With(Dictionary<string, string?> settings, IReadOnlyDictionary<string, string?> more)
    {
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>An API instance's settings on <paramref name="nats"/>, signed by <paramref name="broker"/>'s key.</summary>
    internal static Dictionary<string, string?> ApiSettings(NatsServer nats, string name, BrokerFixture broker) => new()
    {
        ["Situk:Nats:Url"] = nats.Url,
        ["Situk:Nats:Name"] = name,
        ["Situk:Jwt:SigningKey"] = broker.Tokens.SigningKey,
    };

    private async Task WaitUntilReadyAsync(ApiFixture api, CancellationToken ct)
    {
        using var client = api.CreateClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            using var response = await client.GetAsync("readyz", ct);
            var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(ct);
            if (body.GetProperty("checks").GetProperty("broker").GetProperty("status").GetString() == "Healthy")
            {
                return;
            }

            try
            {
                await Task.Delay(50, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("The API did not report its NATS connection ready: " + body);
            }
        }
    }
}
