using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Situk.Api.Digests;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Digests;

[Description("Items of digested kinds wait without their own push or email, and go per person as one digest when the window runs out or MaxItems wait; two sweepers at once write each digest once.")]
public sealed class DigestSweeperTests
{
    private TestDatabase _db = null!;
    private NpgsqlDataSource _dataSource = null!;
    private DigestData _data = null!;
    private FakeTimeProvider _time = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _dataSource = NpgsqlDataSource.Create(_db.ConnectionString);
        _data = new DigestData(_dataSource);
        _time = DigestData.Now();
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _dataSource.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Test]
    public async Task Items_go_per_person_as_one_digest_when_the_window_runs_out_and_never_mixed()
    {
        var adminA = await _data.PersonAsync(Roles.Admin);
        var adminB = await _data.PersonAsync(Roles.Admin);
        var asesor = await _data.PersonAsync(Roles.Asesor);
        var a = await _data.NoticesAsync(adminA, NotificationKinds.RegistrationSubmitted, "Ayu", "Bima", "Citra");
        var b = await _data.NoticesAsync(adminB, NotificationKinds.RegistrationSubmitted, "Dewi", "Eka");
        var c = await _data.NoticesAsync(asesor, NotificationKinds.Apl02Submitted, "Fajar", "Gita");
        var sweeper = _data.Sweeper(_time);

        var early = await sweeper.SweepOnceAsync(CancellationToken.None);
        Assert.That(await _data.CountAsync("SELECT count(*) FROM push_outbox") + await _data.CountAsync("SELECT count(*) FROM email_outbox"), Is.Zero,
            "a waiting item has its inbox row only: no push and no email of its own");
        _time.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));
        var due = await sweeper.SweepOnceAsync(CancellationToken.None);
        var again = await sweeper.SweepOnceAsync(CancellationToken.None);

        var digests = await _data.DigestsAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(early, Is.Zero, "nothing before the window");
            Assert.That(due, Is.EqualTo(3), "one digest per person");
            Assert.That(again, Is.Zero, "never twice");
            Assert.That(digests.Select(d => (d.UserId, d.Items)), Is.EquivalentTo(new[] { (adminA, a), (adminB, b), (asesor, c) }));
            Assert.That(await _data.CountAsync("SELECT count(*) FROM digest_items WHERE digest_id IS NULL"), Is.Zero);
            Assert.That(await _data.CountAsync("SELECT count(*) FROM notifications WHERE id = ANY(@ids)", new { ids = a.Concat(b).Concat(c).ToArray() }), Is.EqualTo(7),
                "each item stays in the inbox on its own");
            Assert.That(await _data.CountAsync("SELECT count(*) FROM push_outbox o JOIN notifications n ON n.id = o.notification_id WHERE n.kind = @kind",
                new { kind = NotificationKinds.Digest }), Is.EqualTo(3), "one push per digest");
            Assert.That(await _data.CountAsync("SELECT count(*) FROM email_outbox"), Is.EqualTo(3), "one email per digest, none per item");
        });
    }

    [Test]
    public async Task A_digest_goes_as_soon_as_MaxItems_wait_without_waiting_for_the_window()
    {
        var options = new DigestOptions { MaxItems = 3 };
        var admin = await _data.PersonAsync(Roles.Admin);
        var busy = await _data.PersonAsync(Roles.Admin);
        var first = await _data.NoticesAsync(admin, NotificationKinds.RegistrationSubmitted, "Ayu", "Bima");
        var sweeper = _data.Sweeper(_time, options);

        var two = await sweeper.SweepOnceAsync(CancellationToken.None);
        var third = await _data.NoticesAsync(admin, NotificationKinds.RegistrationSubmitted, "Citra");
        var three = await sweeper.SweepOnceAsync(CancellationToken.None);
        var seven = await _data.NoticesAsync(busy, NotificationKinds.RegistrationSubmitted, "1", "2", "3", "4", "5", "6", "7");
        var fulls = await sweeper.SweepOnceAsync(CancellationToken.None);

        var digests = await _data.DigestsAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(two, Is.Zero, "two of three wait for the window");
            Assert.That(three, Is.EqualTo(1));
            Assert.That(fulls, Is.EqualTo(2), "seven waiting: two full digests, the seventh waits");
            Assert.That(digests.Select(d => d.Items), Is.EqualTo(new[] { [.. first, .. third], seven[..3], seven[3..6] }));
            Assert.That(await _data.CountAsync("SELECT count(*) FROM digest_items WHERE digest_id IS NULL"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task The_digest_is_written_in_each_readers_language_with_times_in_their_zone()
    {
        var indonesian = await _data.PersonAsync(Roles.Admin);
        var english = await _data.PersonAsync(Roles.Admin, "en", "Asia/Jayapura");
        await _data.NoticesAsync(indonesian, NotificationKinds.RegistrationSubmitted, "Ayu", "Bima", "Citra");
        await _data.NoticesAsync(english, NotificationKinds.RegistrationSubmitted, "Dewi", "Eka");
        _time.Advance(TimeSpan.FromMinutes(16));

        await _data.Sweeper(_time).SweepOnceAsync(CancellationToken.None);

        var digests = await _data.DigestsAsync();
        var id = digests.Single(d => d.UserId == indonesian);
        var en = digests.Single(d => d.UserId == english);
        Assert.Multiple(() =>
        {
            Assert.That(id.Title, Is.EqualTo("3 pendaftaran baru menunggu verifikasi"));
            Assert.That(en.Title, Is.EqualTo("2 new registrations await verification"));
            Assert.That(id.Body.Split('\n'), Has.Length.EqualTo(3).And.All.Contains(" pukul ").And.All.Contains(" WIB — "));
            Assert.That(en.Body.Split('\n'), Has.Length.EqualTo(2).And.All.Contains(" WIT — "));
            Assert.That(en.Body, Does.Contain("Dewi registered").And.Contain("Eka registered"));
            // The email is laid out when it is sent, in these words' language and zone (DigestEmailTests).
            Assert.That(id.Locale, Is.EqualTo(("id", "Asia/Jakarta")), "the digest keeps the language and zone it was written in");
            Assert.That(en.Locale, Is.EqualTo(("en", "Asia/Jayapura")));
        });
    }

    [Test]
    [Description("Several API instances sweep the same database: items claimed FOR UPDATE SKIP LOCKED per person, so each batch goes once.")]
    public async Task Two_sweepers_at_once_write_one_digest_per_batch()
    {
        var expected = new Dictionary<long, long[]>();
        for (var i = 0; i < 30; i++)
        {
            var admin = await _data.PersonAsync(Roles.Admin);
            expected[admin] = await _data.NoticesAsync(admin, NotificationKinds.RegistrationSubmitted, "Ayu", "Bima", "Citra", "Dewi");
        }

        _time.Advance(TimeSpan.FromMinutes(16));
        var one = _data.Sweeper(_time);
        var two = _data.Sweeper(_time);

        var counts = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() => (i % 2 == 0 ? one : two).SweepOnceAsync(CancellationToken.None))));

        var digests = await _data.DigestsAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(counts.Sum(), Is.EqualTo(30), "the sweepers between them wrote one digest per person");
            Assert.That(digests.Select(d => (d.UserId, d.Items)), Is.EquivalentTo(expected.Select(e => (e.Key, e.Value))), "each batch once, whole, to its owner");
            Assert.That(await _data.CountAsync("SELECT count(*) FROM digest_items WHERE digest_id IS NULL"), Is.Zero);
        });
    }
}
