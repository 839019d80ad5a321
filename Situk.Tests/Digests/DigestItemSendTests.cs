using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Situk.Api.Escalation;
using Situk.Api.Relay;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Digests;

[Description("An item a digest carries is never sent on its own by the other paths that send: not re-sent when its owner comes online, not escalated to email when no device acks it.")]
public sealed class DigestItemSendTests
{
    private TestDatabase _db = null!;
    private NpgsqlDataSource _dataSource = null!;
    private DigestData _data = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _dataSource = NpgsqlDataSource.Create(_db.ConnectionString);
        _data = new DigestData(_dataSource);
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _dataSource.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Test]
    public async Task The_presence_resend_skips_waiting_and_carried_items_and_sends_their_digest()
    {
        var admin = await _data.PersonAsync(Roles.Admin);
        var carried = await _data.NoticesAsync(admin, NotificationKinds.RegistrationSubmitted, "Ayu", "Bima");
        var time = DigestData.Now();
        time.Advance(TimeSpan.FromMinutes(16));
        await _data.Sweeper(time).SweepOnceAsync(CancellationToken.None);
        var waiting = await _data.NoticesAsync(admin, NotificationKinds.RegistrationSubmitted, "Citra");
        var withdrawn = await _data.NoticesAsync(admin, NotificationKinds.RegistrationWithdrawn, "Dewi");

        await using var c = await _dataSource.OpenConnectionAsync();
        var resent = await OutboxStore.UndeliveredAsync(c, admin, TimeSpan.FromDays(7), 200, CancellationToken.None);

        var digest = (await _data.DigestsAsync()).Single();
        Assert.That(resent.Select(r => r.Id), Is.EqualTo(new[] { digest.Id, withdrawn[0] }),
            $"neither the carried items {string.Join(',', carried)} nor the waiting {waiting[0]}");
    }

    [Test]
    public async Task An_unacked_item_waiting_for_its_digest_is_not_escalated_to_email()
    {
        var asesor = await _data.PersonAsync(Roles.Asesor);
        var asesi = await _data.PersonAsync(Roles.Asesi);
        await _data.NoticesAsync(asesor, NotificationKinds.Apl02Submitted, "Ayu");
        var alone = await _data.NoticesAsync(asesi, NotificationKinds.AssessmentEligible, "Bima");
        var time = DigestData.Now();
        var escalation = new EmailEscalation(_dataSource, Options.Create(new EscalationOptions()), time, NullLogger<EmailEscalation>.Instance);
        time.Advance(TimeSpan.FromMinutes(31));

        var queued = await escalation.EscalateDueAsync(CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(queued, Is.EqualTo(1), "only the notice that went alone");
            Assert.That(await _data.CountAsync("SELECT count(*) FROM email_outbox WHERE notification_id = @id AND reason = 'escalation'", new { id = alone[0] }), Is.EqualTo(1));
        });
    }
}
