using System.Globalization;
using Npgsql;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Faults;

/// <summary>
/// The whole system as real processes on loopback: a PostgreSQL cluster of its own (so it can be stopped
/// without disturbing other tests), the broker and the API as child processes, a thousand users each
/// with a device client (<c>SitukDeviceClient</c>) holding a socket open.
/// </summary>
internal sealed class LoadedSystem : IAsyncDisposable
{
    private readonly string _root;

    private LoadedSystem(string root, string dataDir, string pgPort, string connectionString, BrokerProcess broker, ApiProcess api)
    {
        _root = root;
        DataDir = dataDir;
        PgPort = pgPort;
        ConnectionString = connectionString;
        Broker = broker;
        Api = api;
    }

    public string DataDir { get; }

    public string PgPort { get; }

    public string ConnectionString { get; }

    public BrokerProcess Broker { get; }

    public ApiProcess Api { get; }

    public TestTokens Tokens { get; } = new();

    public IReadOnlyList<long> Users { get; private set; } = [];

    public DeviceFleet Fleet { get; private set; } = null!;

    /// <summary>The admin's client on the API (a token minted with the shared signing key).</summary>
    public HttpClient Admin { get; private set; } = null!;

    public static async Task<LoadedSystem> StartAsync(int devices, CancellationToken ct)
    {
        var root = Path.Combine(Path.GetTempPath(), "situk-fault-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        var dataDir = Path.Combine(root, "pg");
        var pgPort = PostgresServer.FreeTcpPort().ToString(CultureInfo.InvariantCulture);
        var admin = await PostgresServer.RunPgScriptAsync("start", dataDir, pgPort);
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync(ct);
            await using var create = new NpgsqlCommand("CREATE DATABASE situk_fault", connection);
            await create.ExecuteNonQueryAsync(ct);
        }

        // Timeout=3: while PostgreSQL is away, a request fails in seconds rather than after the default 15.
        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = "situk_fault", Timeout = 3 }.ConnectionString;
        var broker = ChildProcesses.Broker();
        var api = ChildProcesses.Api(connectionString, broker, PostgresServer.FreeTcpPort());
        var system = new LoadedSystem(root, dataDir, pgPort, connectionString, broker, api);
        await broker.Process.StartAsync(ct);
        await api.Process.StartAsync(ct); // applies the migrations and creates the first admin
        await system.WaitForBrokerLinkAsync(ct);
        system.Users = await FaultData.InsertUsersAsync(connectionString, devices, "fault", ct);
        var adminId = await system.ScalarAsync<long>($"SELECT id FROM users WHERE email = '{ApiFixture.AdminEmail}'", ct);
        system.Admin = system.CreateApiClient(adminId, Roles.Admin);
        system.Fleet = await DeviceFleet.StartAsync(system.Users, broker.DeviceUri, api.BaseAddress, system.Tokens, ct);
        return system;
    }

    public HttpClient CreateApiClient(long userId, string role) => FaultData.ApiClient(Api.BaseAddress, Tokens, userId, role, TimeSpan.FromSeconds(30));

    public Task WaitForBrokerLinkAsync(CancellationToken ct) => Api.WaitForBrokerLinkAsync(ct);

    public Task<T> ScalarAsync<T>(string sql, CancellationToken ct) => FaultData.ScalarAsync<T>(ConnectionString, sql, ct);

    /// <summary>Every stored notification whose title starts with <paramref name="tag"/>: (user, title, delivered).</summary>
    public Task<List<(long User, string Title, bool Delivered)>> StoredAsync(string tag, CancellationToken ct) => FaultData.StoredAsync(ConnectionString, tag, ct);

    /// <summary>A user's whole REST inbox, every page, read with that user's own token.</summary>
    public Task<List<InboxItem>> InboxAsync(long userId, CancellationToken ct) => FaultData.InboxAsync(Admin, Tokens, userId, ct);

    public async ValueTask DisposeAsync()
    {
        if (Fleet is not null)
        {
            await Fleet.DisposeAsync();
        }

        Admin?.Dispose();
        await Api.DisposeAsync();
        await Broker.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await PostgresServer.RunPgScriptAsync("stop", DataDir, "immediate");
        Directory.Delete(_root, recursive: true);
    }
}
