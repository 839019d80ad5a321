using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Situk.Api.Registrations;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Api;

[Description("The SITUK-V2 process end to end through the routes, with the notifications each step writes.")]
public sealed class JourneyTests : ApiTests
{
    [Test]
    public async Task An_asesi_goes_from_sign_up_to_a_competent_verdict()
    {
        var admin = Api.Admin;
        var scheme = await Scenario.CreateSchemeAsync();
        var schedule = await Scenario.CreateScheduleAsync(scheme.Id);

        // 1. sign up and sign in
        var anonymous = Api.CreateClient();
        var email = $"putu-{Guid.NewGuid():N}@situk.test";
        var signUp = await anonymous.PostAsJsonAsync("api/v1/accounts", new { fullName = "Putu Asesi", email, password = "rahasia-123" });
        Assert.That(signUp.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        // 1b. confirm the address with the link from the sign-up email
        var confirmed = await anonymous.PostAsJsonAsync("api/v1/accounts/verify", new { token = await Api.VerificationTokenAsync(email) });
        Assert.That(confirmed.StatusCode, Is.EqualTo(HttpStatusCode.OK), await confirmed.Content.ReadAsStringAsync());
        var token = await (await anonymous.PostAsJsonAsync("api/v1/auth/token", new { email, password = "rahasia-123" })).Content.ReadFromJsonAsync<JsonElement>();
        var asesiId = token.GetProperty("userId").GetInt64();
        var asesi = new TestUser(asesiId, email, "rahasia-123", Roles.Asesi, "Putu Asesi", Api.CreateClient(token.GetProperty("accessToken").GetString()!));
        var asesor = await Api.CreateUserAsync(Roles.Asesor, "Gede Asesor");

        // 3. register with APL-01
        var registered = await Scenario.RegisterAsync(asesi, schedule);
        Assert.That(registered.StatusCode, Is.EqualTo(HttpStatusCode.Created), await registered.Content.ReadAsStringAsync());
        var created = (await registered.Content.ReadFromJsonAsync<RegistrationStatusDto>())!;
        Assert.That(created.Status, Is.EqualTo(RegistrationStatus.Submitted));
        var c = new Case(created.Id, asesi, asesor, scheme, schedule);

        // 4–11
        await ExpectStatus(await admin.Client.PostAsJsonAsync($"{c.Path}/verification", new { approved = true, note = "Complete." }), RegistrationStatus.Verified);
        await ExpectStatus(await admin.Client.PostAsJsonAsync($"{c.Path}/assignment", new { asesorId = asesor.Id }), RegistrationStatus.Assigned);
        await ExpectStatus(await asesi.Client.PutAsJsonAsync($"{c.Path}/apl02", Scenario.Apl02(c)), RegistrationStatus.Apl02Submitted);
        await ExpectStatus(await asesor.Client.PostAsJsonAsync($"{c.Path}/apl02/review", new { }), RegistrationStatus.Eligible);
        await ExpectStatus(await asesor.Client.PostAsJsonAsync($"{c.Path}/assessment", new { scheduledAt = DateTimeOffset.UtcNow.AddDays(7) }), RegistrationStatus.Scheduled);
        await Scenario.AssessmentDayAsync(c);
        var records = await asesor.Client.PutAsJsonAsync($"{c.Path}/records", Scenario.Records(c));
        Assert.That(records.StatusCode, Is.EqualTo(HttpStatusCode.OK), await records.Content.ReadAsStringAsync());
        await ExpectStatus(await asesor.Client.PostAsJsonAsync($"{c.Path}/verdict", new { competent = true, note = "Well done." }), RegistrationStatus.Competent);

        // The registration as its asesi sees it.
        var detail = (await asesi.Client.GetFromJsonAsync<RegistrationDto>(c.Path))!;
        Assert.Multiple(() =>
        {
            Assert.That(detail.Status, Is.EqualTo(RegistrationStatus.Competent));
            Assert.That(detail.Verdict, Is.EqualTo(RegistrationStatus.Competent));
            Assert.That(detail.Apl01.IdentityNumber, Is.EqualTo("3578012345678901"));
            Assert.That(detail.Apl02, Has.Count.EqualTo(c.CriterionIds.Count));
            Assert.That(detail.Records.Observation, Has.Count.EqualTo(c.CriterionIds.Count));
            Assert.That(detail.Records.Portfolio, Has.Count.EqualTo(c.CriterionIds.Count));
            Assert.That(detail.AsesorId, Is.EqualTo(asesor.Id));
            Assert.That(detail.AssessmentAt, Is.Not.Null);
            Assert.That(detail.CertificateNumber, Does.StartWith(c.Scheme.Code + "/"));
        });

        // Who was told what: kinds per recipient, in order.
        await using var db = Api.OpenDb();
        var asesiKinds = (await db.QueryAsync<string>("SELECT kind FROM notifications WHERE user_id = @asesiId ORDER BY id", new { asesiId })).ToList();
        Assert.That(asesiKinds, Is.EqualTo(new[]
        {
            NotificationKinds.RegistrationSubmitted, NotificationKinds.RegistrationVerified, NotificationKinds.AssessmentAssigned,
            NotificationKinds.AssessmentEligible, NotificationKinds.AssessmentScheduled, NotificationKinds.VerdictCompetent,
            NotificationKinds.CertificateIssued,
        }));
        var asesorKinds = (await db.QueryAsync<string>("SELECT kind FROM notifications WHERE user_id = @id ORDER BY id", new { id = asesor.Id })).ToList();
        Assert.That(asesorKinds, Is.EqualTo(new[] { NotificationKinds.AssessmentAssigned, NotificationKinds.Apl02Submitted }));
        var adminKinds = (await db.QueryAsync<string>(
            "SELECT kind FROM notifications WHERE user_id = @id AND data->>'registrationId' = @reg", new { id = admin.Id, reg = c.RegistrationId.ToString(System.Globalization.CultureInfo.InvariantCulture) })).ToList();
        Assert.That(adminKinds, Is.EqualTo(new[] { NotificationKinds.RegistrationSubmitted }));

        // Every notification of this registration has exactly one push_outbox row, except the copies a
        // digest carries (the admin's registration notice, the asesor's APL-02 notice): one digest_items row instead.
        var withoutPush = await db.ExecuteScalarAsync<long>(
            """
            SELECT count(*) FROM notifications n
            WHERE n.data->>'registrationId' = @reg
              AND (SELECT count(*) FROM push_outbox p WHERE p.notification_id = n.id)
                  + (SELECT count(*) FROM digest_items d WHERE d.notification_id = n.id) <> 1
            """, new { reg = c.RegistrationId.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Assert.That(withoutPush, Is.Zero);
        var digested = (await db.QueryAsync<string>(
            "SELECT DISTINCT n.kind FROM notifications n JOIN digest_items d ON d.notification_id = n.id WHERE n.data->>'registrationId' = @reg AND n.user_id <> @asesiId ORDER BY n.kind",
            new { reg = c.RegistrationId.ToString(System.Globalization.CultureInfo.InvariantCulture), asesiId })).ToList();
        Assert.That(digested, Is.EqualTo(new[] { NotificationKinds.Apl02Submitted, NotificationKinds.RegistrationSubmitted }));

        // Email: registration received, the verdict and the certificate it issued, all to the asesi's own address, with
        // the notification's own words (the relay lays them out when it sends: tests in Notifications/ read what it sent).
        var emails = (await db.QueryAsync<(string Kind, string To, string Subject, string Text, string Title, string Body, long UserId)>(
            """
            SELECT n.kind, e.to_address, e.subject, e.text_body, n.title, n.body, e.user_id FROM email_outbox e
            JOIN notifications n ON n.id = e.notification_id
            WHERE n.data->>'registrationId' = @reg ORDER BY e.id
            """, new { reg = c.RegistrationId.ToString(System.Globalization.CultureInfo.InvariantCulture) })).ToList();
        Assert.That(emails.Select(e => e.Kind), Is.EqualTo(new[] { NotificationKinds.RegistrationSubmitted, NotificationKinds.VerdictCompetent, NotificationKinds.CertificateIssued }));
        Assert.Multiple(() =>
        {
            Assert.That(emails.Select(e => e.To), Is.All.EqualTo(email));
            Assert.That(emails.Select(e => e.UserId), Is.All.EqualTo(asesiId));
            Assert.That(emails.Select(e => e.Subject), Is.EqualTo(emails.Select(e => e.Title)));
            Assert.That(emails.Select(e => e.Text), Is.EqualTo(emails.Select(e => e.Body)));
            Assert.That(emails[1].Subject, Is.EqualTo("Dinyatakan kompeten"));
            Assert.That(emails[1].Text, Does.Contain("Anda dinyatakan kompeten pada skema sertifikasi " + c.Scheme.Name));
        });

        // Priorities from the kind table, frame sizes recorded, data names registration and status.
        var verdict = await db.QuerySingleAsync<(short Priority, int PayloadBytes, string Data, string Link)>(
            "SELECT priority, payload_bytes, data::text, link FROM notifications WHERE user_id = @asesiId AND kind = 'verdict.competent'", new { asesiId });
        var data = JsonDocument.Parse(verdict.Data).RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(verdict.Priority, Is.EqualTo((short)Priority.High));
            Assert.That(verdict.PayloadBytes, Is.GreaterThan(100));
            Assert.That(verdict.Link, Is.EqualTo($"/registrations/{c.RegistrationId}"));
            Assert.That(data.GetProperty("registrationId").GetInt64(), Is.EqualTo(c.RegistrationId));
            Assert.That(data.GetProperty("status").GetString(), Is.EqualTo(RegistrationStatus.Competent));
        });
    }

    [Test]
    [Description("Requirement 7: one criterion self-assessed not competent ends the process at review.")]
    public async Task An_apl02_with_a_not_competent_answer_is_declared_not_yet_competent_at_review()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Apl02Submitted, apl02AllCompetent: false);

        await ExpectStatus(await c.Asesor.Client.PostAsJsonAsync($"{c.Path}/apl02/review", new { }), RegistrationStatus.NotYetCompetent);

        var detail = (await c.Asesi.Client.GetFromJsonAsync<RegistrationDto>(c.Path))!;
        Assert.That(detail.Status, Is.EqualTo(RegistrationStatus.NotYetCompetent));
        Assert.That(detail.Verdict, Is.EqualTo(RegistrationStatus.NotYetCompetent));
        Assert.That(await KindsOf(c.Asesi.Id), Does.Contain(NotificationKinds.VerdictNotYetCompetent));
        Assert.That(await EmailCountAsync(c, NotificationKinds.VerdictNotYetCompetent), Is.EqualTo(1));
        var schedule = await c.Asesor.Client.PostAsJsonAsync($"{c.Path}/assessment", new { scheduledAt = DateTimeOffset.UtcNow.AddDays(1) });
        await ProblemAssert.WrongStateAsync(schedule, RegistrationStatus.NotYetCompetent);
    }

    [Test]
    public async Task An_asesor_may_declare_not_yet_competent_on_complete_records()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Scheduled);
        var records = await c.Asesor.Client.PutAsJsonAsync($"{c.Path}/records", Scenario.Records(c, c.CriterionIds[0]));
        Assert.That(records.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await ExpectStatus(await c.Asesor.Client.PostAsJsonAsync($"{c.Path}/verdict", new { competent = false, note = "Retake unit 1." }), RegistrationStatus.NotYetCompetent);

        Assert.That(await KindsOf(c.Asesi.Id), Has.Member(NotificationKinds.VerdictNotYetCompetent));
        Assert.That(await EmailCountAsync(c, NotificationKinds.VerdictNotYetCompetent), Is.EqualTo(1));
    }

    [Test]
    public async Task A_rejected_apl01_tells_the_asesi_without_email()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Rejected);

        Assert.That(await KindsOf(c.Asesi.Id), Is.EqualTo(new[] { NotificationKinds.RegistrationSubmitted, NotificationKinds.RegistrationRejected }));
        Assert.That(await EmailCountAsync(c, NotificationKinds.RegistrationRejected), Is.Zero);
    }

    private static async Task ExpectStatus(HttpResponseMessage response, string status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        Assert.That(JsonDocument.Parse(text).RootElement.GetProperty("status").GetString(), Is.EqualTo(status));
    }

    private async Task<List<string>> KindsOf(long userId)
    {
        await using var db = Api.OpenDb();
        return (await db.QueryAsync<string>("SELECT kind FROM notifications WHERE user_id = @userId ORDER BY id", new { userId })).ToList();
    }

    private async Task<long> EmailCountAsync(Case c, string kind)
    {
        await using var db = Api.OpenDb();
        return await db.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM email_outbox e JOIN notifications n ON n.id = e.notification_id WHERE e.user_id = @id AND n.kind = @kind",
            new { id = c.Asesi.Id, kind });
    }
}
