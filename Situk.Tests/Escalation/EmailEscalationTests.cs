using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Situk.Api.Escalation;
using Situk.Contracts;
using Situk.Tests.Broker;
using Situk.Tests.Support;

namespace Situk.Tests.Escalation;

[Description("A notification no device acked within its kind's deadline is emailed exactly once; an acked one never; time through TimeProvider.")]
public sealed class EmailEscalationTests
{
    private TestDatabase _db = null!;
    private NpgsqlDataSource _dataSource = null!;
    private FakeTimeProvider _time = null!;
    private long _userId;

    [SetUp]
    public async Task StartAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _dataSource = NpgsqlDataSource.Create(_db.ConnectionString);
        _time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var c = await _dataSource.OpenConnectionAsync();
        _userId = await c.ExecuteScalarAsync<long>(
            "INSERT INTO users (full_name, email, role, password_hash) VALUES ('Putu', 'putu@situk.test', 'asesi', 'x') RETURNING id");
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _dataSource.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Test]
    public async Task An_unacked_notification_is_emailed_once_at_its_deadline()
    {
        var id = await NotifyAsync(NotificationKinds.AssessmentAssigned);
        var escalation = NewEscalation();

        var early = await escalation.EscalateDueAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        var atDeadline = await escalation.EscalateDueAsync(CancellationToken.None);
        var again = await escalation.EscalateDueAsync(CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(early, Is.Zero, "not before the deadline");
            Assert.That(atDeadline, Is.EqualTo(1));
            Assert.That(again, Is.Zero, "never twice");
            Assert.That(await EmailsForAsync(id), Is.EqualTo(new[] { ("putu@situk.test", "escalation") }));
        });
    }

    [Test]
    public async Task An_acked_notification_is_never_emailed()
    {
        var id = await NotifyAsync(NotificationKinds.AssessmentAssigned);
        await using (var c = await _dataSource.OpenConnectionAsync())
        {
            await c.ExecuteAsync("UPDATE notifications SET delivered_at = now(), delivered_device_class = 'web' WHERE id = @id", new { id });
        }

        _time.Advance(TimeSpan.FromHours(1));
        Assert.That(await NewEscalation().EscalateDueAsync(CancellationToken.None), Is.Zero);
        Assert.That(await EmailsForAsync(id), Is.Empty);
    }

    [Test]
    [Description("Verdicts always email at once; escalation must not add a second email.")]
    public async Task Kinds_that_always_email_are_not_escalated()
    {
        var options = new EscalationOptions();
        options.Deadlines[NotificationKinds.VerdictCompetent] = TimeSpan.FromMinutes(1);
        var id = await NotifyAsync(NotificationKinds.VerdictCompetent);

        _time.Advance(TimeSpan.FromHours(1));
        Assert.That(await NewEscalation(options).EscalateDueAsync(CancellationToken.None), Is.Zero);
        Assert.That(await EmailsForAsync(id), Is.Empty);
    }

    [Test]
    [Description("Several API instances scanning at once escalate each notification once (unique per notification).")]
    public async Task Concurrent_scans_email_each_notification_once()
    {
        var ids = new List<long>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add(await NotifyAsync(NotificationKinds.AssessmentScheduled));
        }

        _time.Advance(TimeSpan.FromMinutes(11));
        var counts = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => NewEscalation().EscalateDueAsync(CancellationToken.None))));

        await using var c = await _dataSource.OpenConnectionAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(counts.Sum(), Is.EqualTo(20));
            Assert.That(await c.ExecuteScalarAsync<long>("SELECT count(*) FROM email_outbox WHERE notification_id = ANY(@ids)", new { ids }), Is.EqualTo(20));
        });
    }

    [Test]
    [Description("The background scan runs on the TimeProvider's clock.")]
    public async Task The_service_scans_every_interval()
    {
        var id = await NotifyAsync(NotificationKinds.AssessmentAssigned);
        var options = new EscalationOptions { ScanInterval = TimeSpan.FromSeconds(30) };
        using var escalation = NewEscalation(options);
        using var cts = Timeouts.Generous();
        await escalation.StartAsync(cts.Token);

        _time.Advance(TimeSpan.FromMinutes(11));
        while ((await EmailsForAsync(id)).Count == 0)
        {
            _time.Advance(options.ScanInterval);
            await Task.Delay(20, cts.Token);
        }

        await escalation.StopAsync(cts.Token);
        Assert.That(await EmailsForAsync(id), Has.Count.EqualTo(1));
    }

    private EmailEscalation NewEscalation(EscalationOptions? options = null) =>
        new(_dataSource, Options.Create(options ?? new EscalationOptions()), _time, NullLogger<EmailEscalation>.Instance);

    private async Task<long> NotifyAsync(string kind)
    {
        await using var c = await _dataSource.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>(
            "INSERT INTO notifications (user_id, kind, title, body, link) VALUES (@user, @kind, 'Asesor ditetapkan', 'Gede is your asesor.', '/registrations/1') RETURNING id",
            new { user = _userId, kind });
    }

    private async Task<List<(string To, string Reason)>> EmailsForAsync(long notificationId)
    {
        await using var c = await _dataSource.OpenConnectionAsync();
        return (await c.QueryAsync<(string, string)>(
            "SELECT to_address, reason FROM email_outbox WHERE notification_id = @notificationId", new { notificationId })).ToList();
    }
}
