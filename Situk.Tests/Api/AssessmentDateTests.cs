using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Situk.Api.Registrations;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Api;

[Description("Records and the verdict are taken only from the scheduled assessment date on; the assigned asesor or an admin may move "
    + "a scheduled assessment, and the asesi is told by push and email with both times. Every refusal stores nothing.")]
public sealed class AssessmentDateTests : ApiTests
{
    [Test]
    public async Task Records_and_verdict_before_the_assessment_date_are_422_naming_the_date_and_store_nothing()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Scheduled, assessmentDue: false);
        var at = await AssessmentAtAsync(c);
        var iso = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var before = await Api.CountRowsAsync();
        var updatedAt = await UpdatedAtAsync(c);

        var records = await c.Asesor.Client.PutAsJsonAsync($"{c.Path}/records", Scenario.Records(c));
        var recordsProblem = await ProblemAssert.NamesFieldAsync(records, HttpStatusCode.UnprocessableEntity, "assessmentAt");
        var verdict = await c.Asesor.Client.PostAsJsonAsync($"{c.Path}/verdict", new { competent = true });
        var verdictProblem = await ProblemAssert.NamesFieldAsync(verdict, HttpStatusCode.UnprocessableEntity, "assessmentAt");

        Assert.Multiple(async () =>
        {
            Assert.That(recordsProblem.GetProperty("detail").GetString(), Does.Contain(iso));
            Assert.That(verdictProblem.GetProperty("detail").GetString(), Does.Contain(iso));
            Assert.That(await Api.CountRowsAsync(), Is.EqualTo(before));
            Assert.That(await Api.ScalarAsync<long>("SELECT count(*) FROM assessment_records WHERE registration_id = @id", ("id", c.RegistrationId)), Is.Zero);
            Assert.That(await Api.ScalarAsync<string>("SELECT status FROM registrations WHERE id = @id", ("id", c.RegistrationId)), Is.EqualTo(RegistrationStatus.Scheduled));
            Assert.That(await UpdatedAtAsync(c), Is.EqualTo(updatedAt));
        });
    }

    [Test]
    [Description("The clock, not the test, moves: one minute before the date both are refused; at the date both are taken.")]
    public async Task Records_and_verdict_are_taken_from_the_assessment_date_on()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var api = await ApiFixture.StartAsync(configure: b => b.Services.AddSingleton<TimeProvider>(time));
        var scenario = new Scenario(api);
        var c = await scenario.CaseAtAsync(RegistrationStatus.Eligible);
        var at = time.GetUtcNow().AddHours(1);
        var schedule = await c.Asesor.Client.PostAsJsonAsync($"{c.Path}/assessment", new { scheduledAt = at });
        Assert.That(schedule.StatusCode, Is.EqualTo(HttpStatusCode.OK), await schedule.Content.ReadAsStringAsync());

        time.SetUtcNow(at.AddMinutes(-1));
        await ProblemAssert.NamesFieldAsync(await c.Asesor.Client.PutAsJsonAsync($"{c.Path}/records", Scenario.Records(c)), HttpStatusCode.UnprocessableEntity, "assessmentAt");
        await ProblemAssert.NamesFieldAsync(await c.Asesor.Client.PostAsJsonAsync($"{c.Path}/verdict", new { competent = true }), HttpStatusCode.UnprocessableEntity, "assessmentAt");

        time.SetUtcNow(at);
        var records = await c.Asesor.Client.PutAsJsonAsync($"{c.Path}/records", Scenario.Records(c));
        Assert.That(records.StatusCode, Is.EqualTo(HttpStatusCode.OK), await records.Content.ReadAsStringAsync());
        var verdict = await c.Asesor.Client.PostAsJsonAsync($"{c.Path}/verdict", new { competent = true });
        Assert.That(verdict.StatusCode, Is.EqualTo(HttpStatusCode.OK), await verdict.Content.ReadAsStringAsync());
        Assert.That(await api.ScalarAsync<string>("SELECT status FROM registrations WHERE id = @id", ("id", c.RegistrationId)), Is.EqualTo(RegistrationStatus.Competent));
    }

    [Test]
    public async Task Moving_an_assessment_tells_the_asesi_by_push_and_email_with_both_times()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Scheduled, assessmentDue: false);
        var from = await AssessmentAtAsync(c);
        var to = new DateTimeOffset(DateTimeOffset.UtcNow.AddDays(10).Date.AddHours(9), TimeSpan.Zero);

        var moved = await c.Asesor.Client.PutAsJsonAsync($"{c.Path}/assessment", new { scheduledAt = to });
        Assert.That(moved.StatusCode, Is.EqualTo(HttpStatusCode.OK), await moved.Content.ReadAsStringAsync());
        var answer = await moved.Content.ReadFromJsonAsync<JsonElement>();

        // Written for the asesi: Bahasa Indonesia and Jakarta time, their defaults ("Senin, 7 Desember 2026 pukul 16.00 WIB").
        var reader = Situk.Api.Texts.Locale.For("id", "Asia/Jakarta");
        var fromText = Situk.Api.Texts.TextTime.Format(Situk.Api.Texts.TextCatalog.Embedded, reader, from);
        var toText = Situk.Api.Texts.TextTime.Format(Situk.Api.Texts.TextCatalog.Embedded, reader, to);
        await using var db = Api.OpenDb();
        var notice = await db.QuerySingleAsync<(long Id, long UserId, string Body)>(
            "SELECT id, user_id, body FROM notifications WHERE kind = @kind AND data->>'registrationId' = @id",
            new { kind = NotificationKinds.AssessmentRescheduled, id = c.RegistrationId.ToString(CultureInfo.InvariantCulture) });
        var email = await db.QuerySingleAsync<(long UserId, string TextBody)>(
            "SELECT user_id, text_body FROM email_outbox WHERE notification_id = @id", new { id = notice.Id });
        var pushed = await db.ExecuteScalarAsync<long>("SELECT count(*) FROM push_outbox WHERE notification_id = @id", new { id = notice.Id });
        Assert.Multiple(async () =>
        {
            Assert.That(answer.GetProperty("assessmentAt").GetDateTimeOffset(), Is.EqualTo(to));
            Assert.That(answer.GetProperty("previousAssessmentAt").GetDateTimeOffset(), Is.EqualTo(from));
            Assert.That(await AssessmentAtAsync(c), Is.EqualTo(to));
            Assert.That(notice.UserId, Is.EqualTo(c.Asesi.Id));
            Assert.That(notice.Body, Does.Contain(fromText).And.Contain(toText).And.Contain(" pukul 16.00 WIB"));
            Assert.That(email.UserId, Is.EqualTo(c.Asesi.Id));
            Assert.That(email.TextBody, Does.Contain(fromText).And.Contain(toText));
            Assert.That(pushed, Is.EqualTo(1), "the push goes through the outbox like every other notice");
        });
    }

    [Test]
    public async Task An_admin_may_move_any_scheduled_assessment()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Scheduled, assessmentDue: false);
        var to = DateTimeOffset.UtcNow.AddDays(5);
        var moved = await Api.Admin.Client.PutAsJsonAsync($"{c.Path}/assessment", new { scheduledAt = to });
        Assert.That(moved.StatusCode, Is.EqualTo(HttpStatusCode.OK), await moved.Content.ReadAsStringAsync());
        Assert.That((await AssessmentAtAsync(c) - to).Duration(), Is.LessThan(TimeSpan.FromMilliseconds(1)));
    }

    [Test]
    public async Task Moving_to_a_past_time_or_the_same_time_is_422_and_changes_nothing()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Scheduled, assessmentDue: false);
        var from = await AssessmentAtAsync(c);
        var before = await Api.CountRowsAsync();

        var past = await c.Asesor.Client.PutAsJsonAsync($"{c.Path}/assessment", new { scheduledAt = DateTimeOffset.UtcNow.AddMinutes(-5) });
        await ProblemAssert.NamesFieldAsync(past, HttpStatusCode.UnprocessableEntity, "scheduledAt");
        var same = await c.Asesor.Client.PutAsJsonAsync($"{c.Path}/assessment", new { scheduledAt = from });
        await ProblemAssert.NamesFieldAsync(same, HttpStatusCode.UnprocessableEntity, "scheduledAt");

        await AssertUnchangedAsync(c, from, before);
    }

    [Test]
    public async Task An_asesi_moving_an_assessment_is_403_and_changes_nothing()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Scheduled, assessmentDue: false);
        var from = await AssessmentAtAsync(c);
        var before = await Api.CountRowsAsync();

        var response = await c.Asesi.Client.PutAsJsonAsync($"{c.Path}/assessment", new { scheduledAt = DateTimeOffset.UtcNow.AddDays(9) });

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden);
        await AssertUnchangedAsync(c, from, before);
    }

    [Test]
    public async Task Another_asesor_moving_an_assessment_is_404_and_changes_nothing()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Scheduled, assessmentDue: false);
        var other = await Api.CreateUserAsync(Roles.Asesor);
        var from = await AssessmentAtAsync(c);
        var before = await Api.CountRowsAsync();

        var response = await other.Client.PutAsJsonAsync($"{c.Path}/assessment", new { scheduledAt = DateTimeOffset.UtcNow.AddDays(9) });

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound);
        await AssertUnchangedAsync(c, from, before);
    }

    [Test]
    public async Task Moving_an_assessment_that_is_not_scheduled_is_409_naming_the_status()
    {
        foreach (var status in new[] { RegistrationStatus.Eligible, RegistrationStatus.Competent })
        {
            var c = await Scenario.CaseAtAsync(RegistrationStatus.Eligible);
            if (status == RegistrationStatus.Competent)
            {
                await c.Asesor.Client.PostAsJsonAsync($"{c.Path}/assessment", new { scheduledAt = DateTimeOffset.UtcNow.AddDays(2) });
                await Scenario.AssessmentDayAsync(c);
                Assert.That((await c.Asesor.Client.PutAsJsonAsync($"{c.Path}/records", Scenario.Records(c))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
                Assert.That((await c.Asesor.Client.PostAsJsonAsync($"{c.Path}/verdict", new { competent = true })).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            }

            var before = await Api.CountRowsAsync();
            var assessmentAt = await Api.ScalarAsync<string>("SELECT coalesce(assessment_at::text, '') FROM registrations WHERE id = @id", ("id", c.RegistrationId));

            var response = await Api.Admin.Client.PutAsJsonAsync($"{c.Path}/assessment", new { scheduledAt = DateTimeOffset.UtcNow.AddDays(9) });

            await ProblemAssert.WrongStateAsync(response, status);
            Assert.That(await Api.CountRowsAsync(), Is.EqualTo(before), status);
            Assert.That(await Api.ScalarAsync<string>("SELECT coalesce(assessment_at::text, '') FROM registrations WHERE id = @id", ("id", c.RegistrationId)), Is.EqualTo(assessmentAt), status);
        }
    }

    private async Task AssertUnchangedAsync(Case c, DateTimeOffset from, Dictionary<string, long> before)
    {
        Assert.That(await AssessmentAtAsync(c), Is.EqualTo(from));
        Assert.That(await Api.CountRowsAsync(), Is.EqualTo(before));
        Assert.That(await Api.ScalarAsync<long>("SELECT count(*) FROM notifications WHERE kind = @kind AND user_id = @id",
            ("kind", NotificationKinds.AssessmentRescheduled), ("id", c.Asesi.Id)), Is.Zero);
    }

    private async Task<DateTimeOffset> AssessmentAtAsync(Case c) =>
        new(DateTime.SpecifyKind(await Api.ScalarAsync<DateTime>("SELECT assessment_at FROM registrations WHERE id = @id", ("id", c.RegistrationId)), DateTimeKind.Utc), TimeSpan.Zero);

    private Task<DateTime> UpdatedAtAsync(Case c) =>
        Api.ScalarAsync<DateTime>("SELECT updated_at FROM registrations WHERE id = @id", ("id", c.RegistrationId));
}
