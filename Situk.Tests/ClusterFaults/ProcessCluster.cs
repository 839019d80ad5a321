using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Npgsql;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.ClusterFaults;

/// <summary>
/// A cluster of real processes on loopback: one <c>nats-server</c>, two brokers (<see cref="A"/>, <see cref="B"/>)
/// and two API instances (<see cref="Api1"/>, <see cref="Api2"/>) as <see cref="ChildProcess"/>es on one fresh
/// database, every one pointed at NATS by <c>Situk:Nats:Url</c> and configured by environment only, so a test
/// can kill, restart or freeze any of them. Devices (<see cref="Situk.Client.SitukDeviceClient"/>s) are pinned: those of
/// <see cref="OnA"/> connect to broker A only, those of <see cref="OnB"/> to broker B only.
/// </summary>
internal sealed class ProcessCluster : IAsyncDisposable
{
    private readonly List<HttpClient> _admins = [];

    private ProcessCluster(NatsServer nats, TestDatabase database, BrokerProcess a, BrokerProcess b, ApiProcess api1, ApiProcess api2)
    {
        Nats = nats;
        Database = database;
        A = a;
        B = b;
        Api1 = api1;
        Api2 = api2;
    }

    public NatsServer Nats { get; }

    public TestDatabase Database { get; }

    public BrokerProcess A { get; }

    public BrokerProcess B { get; }

    public ApiProcess Api1 { get; }

    public ApiProcess Api2 { get; }

    public TestTokens Tokens { get; } = new();

    /// <summary>Shared by the writer and the devices, so "accepted at" and "handed at" compare.</summary>
    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    /// <summary>The admin's REST client on each API instance: [Api1, Api2].</summary>
    public IReadOnlyList<HttpClient> Admins => _admins;

    public PinnedDevices OnA { get; private set; } = null!;

    public PinnedDevices OnB { get; private set; } = null!;

    public IEnumerable<ChildProcess> Processes => [A.Process, B.Process, Api1.Process, Api2.Process];

    /// <summary>Starts everything and opens <paramref name="devicesPerBroker"/> devices on each broker.</summary>
    public static async Task<ProcessCluster> StartAsync(int devicesPerBroker, CancellationToken ct)
    {
        var nats = await NatsServer.StartAsync(ct);
        var database = await TestDatabase.CreateAsync(migrate: false);
        var a = ChildProcesses.Broker(BrokerSettings(nats, "broker-a"));
        var b = ChildProcesses.Broker(BrokerSettings(nats, "broker-b"));
        var api1 = ChildProcesses.Api(database.ConnectionString, a, PostgresServer.FreeTcpPort(), ApiSettings(nats, "api-1"));
        var api2 = ChildProcesses.Api(database.ConnectionString, b, PostgresServer.FreeTcpPort(), ApiSettings(nats, "api-2"));
        var cluster = new ProcessCluster(nats, database, a, b, api1, api2);
        try
        {
            await Task.WhenAll(a.Process.StartAsync(ct), b.Process.StartAsync(ct));
            // One after the other: the first applies the migrations.
            await api1.Process.StartAsync(ct);
            await api1.WaitForBrokerLinkAsync(ct);
            await api2.Process.StartAsync(ct);
            await api2.WaitForBrokerLinkAsync(ct);

            var adminId = await cluster.ScalarAsync<long>($"SELECT id FROM users WHERE email = '{ApiFixture.AdminEmail}'", ct);
            foreach (var api in new[] { api1, api2 })
            {
                var client = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", cluster.Tokens.Issue(adminId.ToString(CultureInfo.InvariantCulture), Roles.Admin));
                cluster._admins.Add(client);
            }

            var users = await cluster.InsertUsersAsync(2 * devicesPerBroker, ct);
            // Inbox syncs go to API 1: the tests that kill an API instance kill API 2.
            cluster.OnA = await PinnedDevices.StartAsync(users.Take(devicesPerBroker).ToList(), a.DeviceUri, api1.BaseAddress, cluster.Tokens, cluster.Clock, ct);
            cluster.OnB = await PinnedDevices.StartAsync(users.Skip(devicesPerBroker).ToList(), b.DeviceUri, api1.BaseAddress, cluster.Tokens, cluster.Clock, ct);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Every stored notification whose title starts with <paramref name="tag"/>: (user, title, delivered).</summary>
    public async Task<List<(long User, string Title, bool Delivered)>> StoredAsync(string tag, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT user_id, title, delivered_at IS NOT NULL FROM notifications WHERE starts_with(title, @tag)", connection);
        command.Parameters.AddWithValue("tag", tag);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<(long, string, bool)>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetBoolean(2)));
        }

        return rows;
    }

    /// <summary>The titles in a user's whole REST inbox, every page, read with that user's own token.</summary>
    public async Task<List<string>> InboxTitlesAsync(long userId, CancellationToken ct)
    {
        var token = Tokens.Issue(userId.ToString(CultureInfo.InvariantCulture), Roles.Asesi);
        var titles = new List<string>();
        long after = 0;
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/me/notifications?after={after}&limit=200");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await _admins[0].SendAsync(request, ct);
            response.EnsureSuccessStatusCode();
            var page = (await response.Content.ReadFromJsonAsync(SitukJson.Default.InboxPage, ct))!;
            titles.AddRange(page.Items.Select(i => i.Title));
            if (page.Next is not { } next)
            {
                return titles;
            }

            after = next;
        }
    }

    public async Task<T> ScalarAsync<T>(string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync(ct))!, typeof(T), CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        if (OnA is not null)
        {
            await OnA.DisposeAsync();
        }

        if (OnB is not null)
        {
            await OnB.DisposeAsync();
        }

        foreach (var admin in _admins)
        {
            admin.Dispose();
        }

        // A frozen broker cannot be killed cleanly everywhere: let it run first.
        A.Process.Thaw();
        B.Process.Thaw();
        await Api2.DisposeAsync();
        await Api1.DisposeAsync();
        await B.DisposeAsync();
        await A.DisposeAsync();
        await Nats.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await Database.DisposeAsync();
    }

    private static Dictionary<string, string> BrokerSettings(NatsServer nats, string name) => new()
    {
        ["Situk:Nats:Url"] = nats.Url,
        ["Situk:Nats:Name"] = name,
        ["Situk:Nats:RetryBaseDelay"] = "00:00:00.050",
        ["Situk:Nats:RetryMaxDelay"] = "00:00:00.500",
    };

    private static Dictionary<string, string> ApiSettings(NatsServer nats, string name) => new()
    {
        ["Situk:Nats:Url"] = nats.Url,
        ["Situk:Nats:Name"] = name,
    };

    // Inserted directly, as the other fault tests do: devices and REST calls use minted tokens.
    private async Task<IReadOnlyList<long>> InsertUsersAsync(int count, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO users (full_name, email, role, password_hash)
            SELECT 'Asesi ' || n, 'cluster-fault-' || n || '@situk.test', 'asesi', 'not-a-password-hash'
            FROM generate_series(1, @count) AS n
            RETURNING id
            """, connection);
        command.Parameters.AddWithValue("count", count);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var ids = new List<long>();
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }
}
