using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Situk.Api.Certificates;
using Situk.Contracts;
using Situk.Tests.Api;

namespace Situk.Tests.Certificates;

[Description("The expiry sweep tells each holder once, by push and email, that their certificate expires within Situk:Certificates:ExpiryNoticeDays "
    + "(90 by default); revoked, already expired and later certificates are left alone, and sweeps running at once never tell twice.")]
public sealed class CertificateExpiryTests : ApiTests
{
    private CertificateExpirySweeper Sweeper => Api.App.Services.GetRequiredService<CertificateExpirySweeper>();

    [Test]
    public async Task A_certificate_inside_the_window_is_told_once_and_the_others_not_at_all()
    {
        var due = await ExpiringInAsync("89 days");
        var later = await ExpiringInAsync("91 days");
        var expired = await ExpiringInAsync("-1 day");
        var revoked = await ExpiringInAsync("10 days");
        await Api.ScalarAsync<int>(
            "UPDATE certificates SET revoked_at = now(), revocation_reason = 'Test.' WHERE number = @n RETURNING 1", ("n", revoked.Number));

        await Sweeper.SweepOnceAsync(CancellationToken.None);
        await Sweeper.SweepOnceAsync(CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(await NoticesAsync(due), Is.EqualTo(1));
            Assert.That(await Api.ScalarAsync<long>(
                "SELECT count(*) FROM notifications n JOIN push_outbox p ON p.notification_id = n.id JOIN email_outbox e ON e.notification_id = n.id "
                + "WHERE n.kind = @kind AND n.user_id = @holder", ("kind", NotificationKinds.CertificateExpiring), ("holder", due.Case.Asesi.Id)), Is.EqualTo(1),
                "pushed and emailed to the holder");
            Assert.That(await Api.ScalarAsync<bool>("SELECT expiry_notified_at IS NOT NULL FROM certificates WHERE number = @n", ("n", due.Number)), Is.True);
            Assert.That(await NoticesAsync(later), Is.Zero);
            Assert.That(await NoticesAsync(expired), Is.Zero);
            Assert.That(await NoticesAsync(revoked), Is.Zero);
        });
    }

    [Test]
    [Description("Four sweeps at once, as four API instances would run them, over 30 due certificates: each holder is told exactly once.")]
    public async Task Sweeps_running_at_once_tell_each_holder_exactly_once()
    {
        var scheme = await Scenario.CreateSchemeAsync(units: 1, criteriaPerElement: 1);
        var schedule = await Scenario.CreateScheduleAsync(scheme.Id, quota: 40);
        var first = await Scenario.ScheduledOnAsync(scheme, schedule);
        await CertificateSteps.DeclareAsync(first, competent: true);
        // 29 more holders, each competent once on the scheme (one active registration per scheme and asesi), with
        // their certificates copied in SQL: the sweep cares only about the dates. The holders are written first,
        // so the registrations' role check sees them.
        await Api.ScalarAsync<int>(
            """
            INSERT INTO users (full_name, email, role, password_hash)
            SELECT u.full_name || ' ' || g, 'copy' || g || '.' || u.email, 'asesi', u.password_hash
            FROM users u CROSS JOIN generate_series(1, 29) g
            WHERE u.id = (SELECT asesi_id FROM registrations WHERE id = @id)
            RETURNING 1
            """,
            ("id", first.RegistrationId));
        await Api.ScalarAsync<int>(
            """
            WITH src AS (SELECT * FROM certificates WHERE registration_id = @id),
                 holders AS (SELECT u.id FROM users u, users o WHERE o.id = (SELECT asesi_id FROM registrations WHERE id = @id)
                             AND u.email LIKE 'copy%.' || o.email),
                 regs AS (
                     INSERT INTO registrations (schedule_id, asesi_id, apl01, status, asesor_id, assessment_at, verdict)
                     SELECT r.schedule_id, h.id, r.apl01, 'competent', r.asesor_id, r.assessment_at, 'competent'
                     FROM registrations r CROSS JOIN holders h WHERE r.id = @id
                     RETURNING id, asesi_id)
            INSERT INTO certificates (number, registration_id, scheme_id, holder_id, holder_name, scheme_name, year, seq, issued_at, expires_at)
            SELECT src.number || '-' || regs.id, regs.id, src.scheme_id, regs.asesi_id, src.holder_name, src.scheme_name, 1999, regs.id::int, now(), now() + interval '30 days'
            FROM regs CROSS JOIN src
            RETURNING 1
            """,
            ("id", first.RegistrationId));
        await Api.ScalarAsync<int>("UPDATE certificates SET expires_at = now() + interval '30 days' WHERE registration_id = @id RETURNING 1", ("id", first.RegistrationId));

        // The notifications table is held locked, so the first sweep to claim the rows stops at writing the notices
        // with its claim open; the others then run into that claim. Released once each of them has either
        // finished (skipped the claimed rows) or is itself waiting on a lock (would notify them again).
        var told = new int[4];
        await using (var blocker = Api.OpenDb())
        {
            await using var hold = await blocker.BeginTransactionAsync();
            await blocker.ExecuteAsync("LOCK TABLE notifications IN EXCLUSIVE MODE", transaction: hold);
            var sweeps = Enumerable.Range(0, 4).Select(_ => Sweeper.SweepOnceAsync(CancellationToken.None)).ToList();
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (sweeps.Count(t => t.IsCompleted) + await WaitingOnLocksAsync() < sweeps.Count && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            await hold.RollbackAsync();
            told = await Task.WhenAll(sweeps);
        }

        var counts = await Api.ScalarAsync<string>(
            """
            SELECT coalesce(string_agg(DISTINCT n.count::text, ','), '') FROM (
                SELECT c.number, (SELECT count(*) FROM notifications x WHERE x.kind = 'certificate.expiring' AND x.data->>'certificateNumber' = c.number) AS count
                FROM certificates c WHERE c.scheme_id = @scheme) n
            """,
            ("scheme", scheme.Id));
        Assert.Multiple(() =>
        {
            Assert.That(told.Sum(), Is.EqualTo(30), "between them the sweeps told 30 holders");
            Assert.That(counts, Is.EqualTo("1"), "each certificate told exactly once");
        });
    }

    private Task<long> WaitingOnLocksAsync() =>
        Api.ScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");

    private async Task<Certified> ExpiringInAsync(string interval)
    {
        var certified = await Scenario.CertifiedAsync();
        await Api.ScalarAsync<int>(
            "UPDATE certificates SET issued_at = now() - interval '3 years', expires_at = now() + @interval::interval WHERE number = @n RETURNING 1",
            ("interval", interval), ("n", certified.Number));
        return certified;
    }

    private Task<long> NoticesAsync(Certified certified) =>
        Api.ScalarAsync<long>(
            "SELECT count(*) FROM notifications WHERE kind = @kind AND data->>'certificateNumber' = @n",
            ("kind", NotificationKinds.CertificateExpiring), ("n", certified.Number));
}
