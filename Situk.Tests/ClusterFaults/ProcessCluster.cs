using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Situk.Contracts;
using Situk.Tests.Faults;
using Situk.Tests.Support;

namespace Situk.Tests.ClusterFaults;

/// <summary>
/// A cluster of real processes on loopback: one <c>nats-server</c>, brokers <c>broker-1</c>… and API instances
/// <c>api-1</c>… as <see cref="ChildProcess"/>es on one fresh database, every one pointed at NATS by
/// <c>Situk:Nats:Url</c> and configured by environment only, so a test can kill, stop, restart or freeze any of
/// them (a restarted broker keeps its node name and ports). One <see cref="SitukDeviceClient"/> per user in
/// <see cref="Devices"/>: either pinned to one broker (<see cref="StartPinnedAsync"/>) or holding every broker's
/// URL and failing over by itself (<see cref="StartFailoverAsync"/>).
/// </summary>
internal sealed class ProcessCluster : IAsyncDisposable
{
    private readonly List<HttpClient> _admins = [];
    private readonly Dictionary<long, BrokerProcess> _pinnedTo = [];

    private ProcessCluster(NatsServer nats, TestDatabase database, IReadOnlyList<BrokerProcess> brokers, IReadOnlyList<ApiProcess> apis)
    {
        Nats = nats;
        Database = database;
        Brokers = brokers;
        Apis = apis;
    }

    public NatsServer Nats { get; }

    /// <summary>With <see cref="StartRoutedAsync"/>: the NATS cluster (<see cref="Nats"/> is its first server).</summary>
    public NatsCluster? Routed { get; private set; }

    public TestDatabase Database { get; }

    /// <summary><c>broker-1</c>, <c>broker-2</c>…, in that order.</summary>
    public IReadOnlyList<BrokerProcess> Brokers { get; }

    /// <summary><c>api-1</c>, <c>api-2</c>…, in that order.</summary>
    public IReadOnlyList<ApiProcess> Apis { get; }

    public BrokerProcess A => Brokers[0];

    public BrokerProcess B => Brokers[1];

    public ApiProcess Api1 => Apis[0];

    public ApiProcess Api2 => Apis[1];

    public TestTokens Tokens { get; } = new();

    /// <summary>Shared by the writer and the devices, so "accepted at" and "handed at" compare.</summary>
    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    /// <summary>The admin's REST client on each API instance, in <see cref="Apis"/> order.</summary>
    public IReadOnlyList<HttpClient> Admins => _admins;

    /// <summary>Every user's device.</summary>
    public DeviceFleet Devices { get; private set; } = null!;

    /// <summary>With pinned devices: the users whose device connects to broker A only.</summary>
    public IReadOnlyList<long> OnA => PinnedTo(A);

    /// <summary>With pinned devices: the users whose device connects to broker B only.</summary>
    public IReadOnlyList<long> OnB => PinnedTo(B);

    public IEnumerable<ChildProcess> Processes => Brokers.Select(b => b.Process).Concat(Apis.Select(a => a.Process));

    /// <summary>Two brokers and two API instances; <paramref name="devicesPerBroker"/> devices pinned to each broker.</summary>
    public static async Task<ProcessCluster> StartPinnedAsync(int devicesPerBroker, CancellationToken ct)
    {
        var cluster = await StartAsync(brokers: 2, apis: 2, ct);
        return await cluster.WithDevicesAsync(2 * devicesPerBroker, (user, i) => [cluster.Brokers[i / devicesPerBroker].DeviceUri], pin: true, ct);
    }

    /// <summary>
    /// <paramref name="brokers"/> brokers and two API instances; <paramref name="devices"/> devices each holding
    /// every broker's URL in the same order, as the sign-in answer's <c>brokerUrls</c> hands them out, each
    /// starting on a random one.
    /// </summary>
    public static async Task<ProcessCluster> StartFailoverAsync(int brokers, int devices, CancellationToken ct)
    {
        var cluster = await StartAsync(brokers, apis: 2, ct);
        IReadOnlyList<Uri> all = [.. cluster.Brokers.Select(b => b.DeviceUri)];
        return await cluster.WithDevicesAsync(devices, (_, _) => all, pin: false, ct);
    }

    /// <summary>
    /// A NATS cluster (<paramref name="nats"/>, owned by the cluster from here on) under brokers and API instances each
    /// given every server's URL, its home first: broker <c>n</c> at home on server <paramref name="brokerHomes"/>[n-1],
    /// API <c>n</c> on <paramref name="apiHomes"/>[n-1]; <paramref name="devicesPerBroker"/> devices pinned to each broker.
    /// </summary>
    public static async Task<ProcessCluster> StartRoutedAsync(NatsCluster nats, int[] brokerHomes, int[] apiHomes, int devicesPerBroker, CancellationToken ct)
    {
        var cluster = await StartAsync(brokerHomes.Length, apiHomes.Length, ct, nats, n => nats.UrlsFor(brokerHomes[n - 1]), n => nats.UrlsFor(apiHomes[n - 1]));
        return await cluster.WithDevicesAsync(brokerHomes.Length * devicesPerBroker, (user, i) => [cluster.Brokers[i / devicesPerBroker].DeviceUri], pin: true, ct);
    }

    /// <summary>With pinned devices: the users whose device connects to <paramref name="broker"/> only.</summary>
    public IReadOnlyList<long> OnBroker(BrokerProcess broker) => PinnedTo(broker);

    public Task<List<(long User, string Title, bool Delivered)>> StoredAsync(string tag, CancellationToken ct) =>
        FaultData.StoredAsync(Database.ConnectionString, tag, ct);

    /// <summary>The titles in a user's whole REST inbox, every page, read with that user's own token.</summary>
    public async Task<List<string>> InboxTitlesAsync(long userId, CancellationToken ct) =>
        [.. (await FaultData.InboxAsync(_admins[0], Tokens, userId, ct)).Select(i => i.Title)];

    public Task<T> ScalarAsync<T>(string sql, CancellationToken ct) => FaultData.ScalarAsync<T>(Database.ConnectionString, sql, ct);

    public async ValueTask DisposeAsync()
    {
        if (Devices is not null)
        {
            await Devices.DisposeAsync();
        }

        foreach (var admin in _admins)
        {
            admin.Dispose();
        }

        // A frozen broker cannot be killed cleanly everywhere: let it run first. Every child is killed even
        // when one of them fails to stop.
        foreach (var broker in Brokers)
        {
            broker.Process.Thaw();
        }

        foreach (var child in Apis.Reverse().Select(a => a.Process).Concat(Brokers.Reverse().Select(b => b.Process)))
        {
            await child.DisposeAsync();
        }

        if (Routed is not null)
        {
            await Routed.DisposeAsync();
        }
        else
        {
            await Nats.DisposeAsync();
        }

        NpgsqlConnection.ClearAllPools();
        await Database.DisposeAsync();
    }

    private static async Task<ProcessCluster> StartAsync(
        int brokers, int apis, CancellationToken ct, NatsCluster? routed = null, Func<int, string>? brokerUrls = null, Func<int, string>? apiUrls = null)
    {
        var nats = routed?.Servers[0] ?? await NatsServer.StartAsync(ct);
        TestDatabase? database = null;
        try
        {
            database = await TestDatabase.CreateAsync(migrate: false);
        }
        catch
        {
            await (routed ?? (IAsyncDisposable)nats).DisposeAsync();
            throw;
        }

        var brokerProcesses = Enumerable.Range(1, brokers).Select(n => ChildProcesses.Broker(BrokerSettings(brokerUrls?.Invoke(n) ?? nats.Url, n))).ToList();
        var apiProcesses = Enumerable.Range(1, apis)
            .Select(n => ChildProcesses.Api(database.ConnectionString, brokerProcesses[(n - 1) % brokers], PostgresServer.FreeTcpPort(), ApiSettings(apiUrls?.Invoke(n) ?? nats.Url, n, brokerProcesses)))
            .ToList();
        var cluster = new ProcessCluster(nats, database, brokerProcesses, apiProcesses) { Routed = routed };
        try
        {
            await Task.WhenAll(brokerProcesses.Select(b => b.Process.StartAsync(ct)));
            // One after the other: the first applies the migrations.
            foreach (var api in apiProcesses)
            {
                await api.Process.StartAsync(ct);
                await api.WaitForBrokerLinkAsync(ct);
            }

            var adminId = await cluster.ScalarAsync<long>($"SELECT id FROM users WHERE email = '{ApiFixture.AdminEmail}'", ct);
            cluster._admins.AddRange(apiProcesses.Select(api => FaultData.ApiClient(api.BaseAddress, cluster.Tokens, adminId, Roles.Admin, TimeSpan.FromSeconds(10))));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task<ProcessCluster> WithDevicesAsync(int count, Func<long, int, IReadOnlyList<Uri>> brokersOf, bool pin, CancellationToken ct)
    {
        try
        {
            var users = await FaultData.InsertUsersAsync(Database.ConnectionString, count, "cluster-fault", ct);
            var index = users.Select((user, i) => (user, i)).ToDictionary(u => u.user, u => u.i);
            if (pin)
            {
                foreach (var (user, i) in index)
                {
                    _pinnedTo[user] = Brokers.Single(b => b.DeviceUri == brokersOf(user, i)[0]);
                }
            }

            // Inbox syncs go to API 1: the tests that kill an API instance kill API 2.
            Devices = await DeviceFleet.StartAsync(users, user => brokersOf(user, index[user]), Api1.BaseAddress, Tokens, Clock, ct);
            return this;
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    private List<long> PinnedTo(BrokerProcess broker) => _pinnedTo.Where(p => p.Value == broker).Select(p => p.Key).Order().ToList();

    private static Dictionary<string, string> BrokerSettings(string natsUrls, int n) => new()
    {
        ["Situk:Nats:Url"] = natsUrls,
        ["Situk:Nats:Name"] = $"situk-broker-{n}",
        ["Situk:Broker:NodeName"] = $"broker-{n}",
        ["Situk:Nats:RetryBaseDelay"] = "00:00:00.050",
        ["Situk:Nats:RetryMaxDelay"] = "00:00:00.500",
    };

    // Each instance hands out every broker, as an operator's cluster would (docs/cluster.md, "Finding a live broker").
    private static Dictionary<string, string> ApiSettings(string natsUrls, int n, IReadOnlyList<BrokerProcess> brokers)
    {
        var settings = new Dictionary<string, string>
        {
            ["Situk:Nats:Url"] = natsUrls,
            ["Situk:Nats:Name"] = $"situk-api-{n}",
        };
        for (var i = 0; i < brokers.Count; i++)
        {
            settings[string.Create(CultureInfo.InvariantCulture, $"Situk:Api:PublicBrokerUrls:{i}")] = brokers[i].DeviceUri.ToString();
        }

        return settings;
    }
}
