using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Npgsql;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Faults;

/// <summary>
/// The broker and the API as child processes on a fresh database of the shared test server, with
/// users inserted directly and tokens minted with the shared signing key. For fault tests that need
/// a few devices rather than a thousand (<see cref="LoadedSystem"/>).
/// </summary>
internal sealed class ChildSystem : IAsyncDisposable
{
    private ChildSystem(TestDatabase database, BrokerProcess broker, ApiProcess api)
    {
        Database = database;
        Broker = broker;
        Api = api;
    }

    public TestDatabase Database { get; }

    public BrokerProcess Broker { get; }

    public ApiProcess Api { get; }

    public TestTokens Tokens { get; } = new();

    /// <summary>The admin's client on the API.</summary>
    public HttpClient Admin { get; private set; } = null!;

    /// <param name="brokerSettings">Broker configuration on top of the test defaults (keys with <c>:</c>).</param>
    public static async Task<ChildSystem> StartAsync(IReadOnlyDictionary<string, string> brokerSettings, CancellationToken ct)
    {
        var database = await TestDatabase.CreateAsync(migrate: false);
        var broker = ChildProcesses.Broker(brokerSettings);
        var api = ChildProcesses.Api(database.ConnectionString, broker, PostgresServer.FreeTcpPort());
        var system = new ChildSystem(database, broker, api);
        await broker.Process.StartAsync(ct);
        await api.Process.StartAsync(ct);
        await api.WaitForBrokerLinkAsync(ct);
        var adminId = await system.ScalarAsync<long>($"SELECT id FROM users WHERE email = '{ApiFixture.AdminEmail}'", ct);
        system.Admin = system.CreateApiClient(adminId, Roles.Admin);
        return system;
    }

    public HttpClient CreateApiClient(long userId, string role) => FaultData.ApiClient(Api.BaseAddress, Tokens, userId, role, TimeSpan.FromSeconds(30));

    /// <summary>An asesi inserted directly (no password to sign in with: tokens are minted).</summary>
    public Task<long> InsertAsesiAsync(CancellationToken ct) =>
        ScalarAsync<long>(
            $"INSERT INTO users (full_name, email, role, password_hash) VALUES ('Asesi Uji', 'asesi-{Guid.NewGuid():N}@situk.test', 'asesi', 'not-a-password-hash') RETURNING id",
            ct);

    /// <summary>An admin message to one user through REST; asserts the 202.</summary>
    public async Task SendAsync(long userId, string title, CancellationToken ct)
    {
        using var response = await Admin.PostAsJsonAsync("api/v1/notifications",
            new { to = new { userIds = new[] { userId } }, title, body = "Dikirim saat jaringan perangkat hilang." }, ct);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync(ct));
    }

    public Task<T> ScalarAsync<T>(string sql, CancellationToken ct) => FaultData.ScalarAsync<T>(Database.ConnectionString, sql, ct);

    public async ValueTask DisposeAsync()
    {
        Admin?.Dispose();
        await Api.DisposeAsync();
        await Broker.DisposeAsync();
        await Database.DisposeAsync();
    }
}
