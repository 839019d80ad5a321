using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Situk.Api.Idempotency;
using Situk.Contracts;
using Situk.Tests.Relay;
using Situk.Tests.Support;

namespace Situk.Tests.Idempotency;

[Description("Expired idempotency keys are deleted for every user by a background sweeper, not only when the same user next claims a key.")]
public sealed class IdempotencySweeperTests
{
    [Test]
    [Description("The running API deletes other users' expired keys by itself; keys still within their lifetime stay.")]
    public async Task The_api_deletes_expired_keys_of_users_who_never_come_back()
    {
        await using var api = await ApiFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Situk:Idempotency:SweepInterval"] = "00:00:00.500",
        });
        var users = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            users.Add((await api.CreateUserAsync(Roles.Asesi)).Id);
        }

        await using (var c = api.OpenDb())
        {
            foreach (var user in users)
            {
                await InsertKeyAsync(c, user, "expired", "now() - interval '25 hours'");
                await InsertKeyAsync(c, user, "fresh", "now() - interval '23 hours'");
            }
        }

        await RelayData.EventuallyAsync(
            async () => await api.ScalarAsync<long>("SELECT count(*) FROM idempotency_keys WHERE key = 'expired'") == 0,
            "every expired key is swept");
        Assert.That(await api.ScalarAsync<long>("SELECT count(*) FROM idempotency_keys WHERE key = 'fresh'"), Is.EqualTo(3));
    }

    [Test]
    [Description("Driven once on a FakeTimeProvider: the cut-off is the sweeper's clock minus Retention.")]
    public async Task One_sweep_deletes_exactly_the_keys_older_than_the_retention()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var dataSource = NpgsqlDataSource.Create(db.ConnectionString);
        var users = new[] { await RelayData.CreateUserAsync(db), await RelayData.CreateUserAsync(db) };
        await using (var c = await dataSource.OpenConnectionAsync())
        {
            foreach (var user in users)
            {
                await InsertKeyAsync(c, user, "k1", "now()");
                await InsertKeyAsync(c, user, "k2", "now()");
            }
        }

        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var longer = new IdempotencyOptions { Retention = TimeSpan.FromDays(2) };
        var sweeper = Sweeper(dataSource, new IdempotencyOptions(), time);

        time.Advance(TimeSpan.FromHours(23));
        var early = await sweeper.SweepOnceAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromHours(2));
        var keptLonger = await Sweeper(dataSource, longer, time).SweepOnceAsync(CancellationToken.None);
        var due = await sweeper.SweepOnceAsync(CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(early, Is.Zero, "nothing before 24 h");
            Assert.That(keptLonger, Is.Zero, "a longer retention keeps them");
            Assert.That(due, Is.EqualTo(4), "every user's keys after 24 h");
            Assert.That(await RelayData.ScalarAsync<long>(db, "SELECT count(*) FROM idempotency_keys"), Is.Zero);
        });
    }

    private static IdempotencySweeper Sweeper(NpgsqlDataSource dataSource, IdempotencyOptions options, TimeProvider time) =>
        new(dataSource, Options.Create(options), time, NullLogger<IdempotencySweeper>.Instance);

    private static Task InsertKeyAsync(NpgsqlConnection c, long user, string key, string createdAt) =>
        c.ExecuteAsync(
            $"INSERT INTO idempotency_keys (user_id, route, key, fingerprint, created_at) VALUES (@user, 'notifications', @key, repeat('a', 64), {createdAt})",
            new { user, key });
}
