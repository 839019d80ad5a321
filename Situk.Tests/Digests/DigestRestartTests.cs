using Npgsql;
using Situk.Contracts;
using Situk.Tests.Faults;
using Situk.Tests.Support;

namespace Situk.Tests.Digests;

[Description("Waiting items are rows, not memory: an API stopped before the window and started again writes their one digest, loses no item and never writes a second.")]
public sealed class DigestRestartTests
{
    [Test]
    public async Task Items_that_waited_through_a_restart_go_as_one_digest()
    {
        await using var db = await TestDatabase.CreateAsync(migrate: false);
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Situk"] = db.ConnectionString,
            ["Situk:Digests:Window"] = "00:00:03",
        };
        long[] items;
        long admin;
        await using (var first = await ApiFixture.StartAsync(settings))
        {
            await using var dataSource = NpgsqlDataSource.Create(db.ConnectionString);
            var data = new DigestData(dataSource);
            admin = await data.PersonAsync(Roles.Admin);
            items = await data.NoticesAsync(admin, NotificationKinds.RegistrationSubmitted, "Ayu", "Bima", "Citra", "Dewi");
        }

        await using (var check = NpgsqlDataSource.Create(db.ConnectionString))
        {
            var data = new DigestData(check);
            Assert.That(await data.DigestsAsync(), Is.Empty, "the API stopped before the window ran out");
            await Task.Delay(TimeSpan.FromSeconds(3.5));
        }

        await using var second = await ApiFixture.StartAsync(settings);
        await using var source = NpgsqlDataSource.Create(db.ConnectionString);
        var after = new DigestData(source);
        Assert.That(await Eventually.WaitAsync(async () => (await after.DigestsAsync()).Count > 0, TimeSpan.FromSeconds(20), CancellationToken.None), Is.True,
            "the restarted API writes the digest of what waited");

        // Several more sweeps (every 200 ms for a 3 s window) find nothing left to carry.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var digests = await after.DigestsAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(digests, Has.Count.EqualTo(1), "one digest, never a second");
            Assert.That(digests[0].UserId, Is.EqualTo(admin));
            Assert.That(digests[0].Items, Is.EqualTo(items), "no item lost");
            Assert.That(await after.CountAsync("SELECT count(*) FROM digest_items WHERE digest_id IS NULL"), Is.Zero);
        });
    }
}
