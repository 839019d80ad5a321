using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Npgsql;
using Situk.Contracts;
using Situk.Tests.Broker;
using Situk.Tests.Support;

namespace Situk.Tests.Faults;

[Category("Faults")]
[Description("PostgreSQL stopped with -m immediate under a running API: REST answers 503 problem+json meanwhile, nothing committed is lost, and the API recovers by itself.")]
public sealed class DatabaseRestartTests
{
    private string _root = null!;
    private string _dataDir = null!;
    private string _port = null!;
    private ApiFixture _api = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        // A cluster of its own: stopping it must not disturb the server every other test shares.
        _root = Path.Combine(Path.GetTempPath(), "situk-fault-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_root);
        _dataDir = Path.Combine(_root, "pg");
        _port = PostgresServer.FreeTcpPort().ToString(CultureInfo.InvariantCulture);
        var admin = await PostgresServer.RunPgScriptAsync("start", _dataDir, _port);
        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = "situk_fault", Timeout = 3 }.ConnectionString;
        _api = await ApiFixture.StartAsync(new Dictionary<string, string?> { ["ConnectionStrings:Situk"] = connectionString });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _api.DisposeAsync();
        await PostgresServer.RunPgScriptAsync("stop", _dataDir, "immediate");
        Directory.Delete(_root, recursive: true);
    }

    [Test]
    public async Task While_the_database_is_down_requests_get_503_and_afterwards_everything_committed_is_there()
    {
        // Two PostgreSQL stops and a start as another user, then the pool's recovery: on a busy machine this
        // alone took over 30 s. Each answer is still bounded by the client's own timeout.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var user = await _api.CreateUserAsync(Roles.Asesi);
        using var sent = await _api.Admin.Client.PostAsJsonAsync("api/v1/notifications",
            new { to = new { userIds = new[] { user.Id } }, title = "Sebelum", body = "Committed before the outage." }, cts.Token);
        Assert.That(sent.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));

        await PostgresServer.RunPgScriptAsync("stop", _dataDir, "immediate");
        using var inbox = await user.Client.GetAsync("api/v1/me/notifications", cts.Token);
        using var signUp = await _api.CreateClient().PostAsJsonAsync("api/v1/accounts",
            new { fullName = "Saat Mati", email = $"down-{Guid.NewGuid():N}@situk.test", password = "rahasia-123" }, cts.Token);
        using var ready = await _api.CreateClient().GetAsync("readyz", cts.Token);
        Assert.Multiple(() =>
        {
            foreach (var response in new[] { inbox, signUp })
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
                Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
                Assert.That(response.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(5)));
            }

            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        });

        await PostgresServer.RunPgScriptAsync("start", _dataDir, _port);
        var items = await WaitForInboxAsync(user, cts.Token);
        using var after = await _api.Admin.Client.PostAsJsonAsync("api/v1/notifications",
            new { to = new { userIds = new[] { user.Id } }, title = "Sesudah", body = "After the outage." }, cts.Token);
        Assert.Multiple(() =>
        {
            Assert.That(items.Select(i => i.Title), Is.EqualTo(new[] { "Sebelum" }), "committed before the stop, still there once");
            Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        });
    }

    // The pool holds connections broken by the stop; the first requests after the restart may still fail.
    private static async Task<InboxItem[]> WaitForInboxAsync(TestUser user, CancellationToken ct)
    {
        while (true)
        {
            using var response = await user.Client.GetAsync("api/v1/me/notifications", ct);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return (await response.Content.ReadFromJsonAsync(SitukJson.Default.InboxPage, ct))!.Items;
            }

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "only 503 while it recovers");
            await Task.Delay(200, ct);
        }
    }
}
