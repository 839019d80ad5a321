using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Situk.Api.Registrations;
using Situk.Contracts;
using Situk.Tests.Api;

namespace Situk.Tests.Certificates;

[Description("A competent verdict issues a certificate in the verdict's own transaction: a number in the LSP's format from a per-(scheme, year) "
    + "sequence allocated in the database, a validity from the scheme, and certificate.issued to the holder by push and email.")]
public sealed class CertificateIssueTests : ApiTests
{
    [Test]
    public async Task A_competent_verdict_issues_a_certificate_numbered_by_scheme_year_and_sequence_valid_for_the_scheme_years()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Scheduled);
        await Api.ScalarAsync<int>("UPDATE schemes SET validity_years = 5 WHERE id = @id RETURNING validity_years", ("id", c.Scheme.Id));

        await CertificateSteps.DeclareAsync(c, competent: true);

        await using var db = Api.OpenDb();
        var row = await db.QuerySingleAsync<(string Number, long HolderId, string HolderName, string SchemeName, DateTime IssuedAt, DateTime ExpiresAt)>(
            "SELECT number, holder_id, holder_name, scheme_name, issued_at, expires_at FROM certificates WHERE registration_id = @id", new { id = c.RegistrationId });
        var year = row.IssuedAt.Year.ToString(CultureInfo.InvariantCulture);
        Assert.Multiple(() =>
        {
            Assert.That(row.Number, Is.EqualTo($"{c.Scheme.Code}/{year}/00001"));
            Assert.That(row.HolderId, Is.EqualTo(c.Asesi.Id));
            Assert.That(row.HolderName, Is.EqualTo(c.Asesi.FullName), "the APL-01 name");
            Assert.That(row.SchemeName, Is.EqualTo(c.Scheme.Name));
            Assert.That(row.ExpiresAt, Is.EqualTo(row.IssuedAt.AddYears(5)));
            Assert.That((DateTime.UtcNow - row.IssuedAt).Duration(), Is.LessThan(TimeSpan.FromMinutes(5)));
        });
    }

    [Test]
    public async Task The_holder_is_told_by_push_and_email_with_a_link_to_the_check_and_the_registration_names_the_number()
    {
        var certified = await Scenario.CertifiedAsync();
        var c = certified.Case;

        await using var db = Api.OpenDb();
        var notice = await db.QuerySingleAsync<(long Id, long UserId, string Link, string Body, string Data)>(
            "SELECT id, user_id, link, body, data::text FROM notifications WHERE kind = @kind AND data->>'certificateNumber' = @number",
            new { kind = NotificationKinds.CertificateIssued, number = certified.Number });
        var pushed = await db.ExecuteScalarAsync<long>("SELECT count(*) FROM push_outbox WHERE notification_id = @id", new { id = notice.Id });
        var emailedTo = await db.QuerySingleAsync<long>("SELECT user_id FROM email_outbox WHERE notification_id = @id", new { id = notice.Id });
        var detail = await CertificateSteps.JsonAsync(await c.Asesi.Client.GetAsync(c.Path));
        Assert.Multiple(() =>
        {
            Assert.That(notice.UserId, Is.EqualTo(c.Asesi.Id));
            Assert.That(notice.Link, Is.EqualTo("/api/v1/certificates/" + certified.Segment));
            Assert.That(notice.Body, Does.Contain(certified.Number));
            Assert.That(pushed, Is.EqualTo(1));
            Assert.That(emailedTo, Is.EqualTo(c.Asesi.Id));
            Assert.That(detail.GetProperty("certificateNumber").GetString(), Is.EqualTo(certified.Number));
        });
    }

    [Test]
    public async Task A_not_yet_competent_verdict_issues_nothing()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Scheduled);
        var before = await CertificateSteps.CertificateRowsAsync(Api);

        await CertificateSteps.DeclareAsync(c, competent: false);

        var detail = await CertificateSteps.JsonAsync(await c.Asesi.Client.GetAsync(c.Path));
        Assert.Multiple(async () =>
        {
            Assert.That(detail.GetProperty("status").GetString(), Is.EqualTo(RegistrationStatus.NotYetCompetent));
            Assert.That(detail.GetProperty("certificateNumber").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(await CertificateSteps.CertificateRowsAsync(Api), Is.EqualTo(before));
            Assert.That(await Api.ScalarAsync<long>("SELECT count(*) FROM notifications WHERE user_id = @id AND kind LIKE 'certificate.%'", ("id", c.Asesi.Id)), Is.Zero);
        });
    }

    [Test]
    [Description("Five verdicts on one scheme at once take 1–5, each once; another scheme starts its own sequence at 1.")]
    public async Task Verdicts_at_once_on_one_scheme_get_consecutive_numbers_each_once_and_another_scheme_starts_at_one()
    {
        var scheme = await Scenario.CreateSchemeAsync();
        var schedule = await Scenario.CreateScheduleAsync(scheme.Id);
        var cases = new List<Case>();
        for (var i = 0; i < 5; i++)
        {
            var c = await Scenario.ScheduledOnAsync(scheme, schedule);
            Assert.That((await c.Asesor.Client.PutAsJsonAsync($"{c.Path}/records", Scenario.Records(c))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            cases.Add(c);
        }

        var verdicts = await Task.WhenAll(cases.Select(c => c.Asesor.Client.PostAsJsonAsync($"{c.Path}/verdict", new { competent = true })));
        Assert.That(verdicts.Select(v => v.StatusCode), Is.All.EqualTo(HttpStatusCode.OK));
        var other = await Scenario.CertifiedAsync();

        await using var db = Api.OpenDb();
        var seqs = (await db.QueryAsync<int>("SELECT seq FROM certificates WHERE scheme_id = @id ORDER BY seq", new { id = scheme.Id })).ToList();
        var numbers = (await db.QueryAsync<string>("SELECT number FROM certificates WHERE scheme_id = @id", new { id = scheme.Id })).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(seqs, Is.EqualTo(new[] { 1, 2, 3, 4, 5 }));
            Assert.That(numbers, Is.Unique);
            Assert.That(numbers, Has.All.StartWith(scheme.Code + "/").And.All.Match(@"/\d{4}/0000[1-5]$"));
            Assert.That(other.Number, Does.EndWith("/00001"));
        });
    }

    [Test]
    [Description("A fault while issuing (the sequence cannot grow) fails the verdict too: the registration stays scheduled, nothing is issued or told.")]
    public async Task A_certificate_that_cannot_be_issued_leaves_the_verdict_undone()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Scheduled);
        Assert.That((await c.Asesor.Client.PutAsJsonAsync($"{c.Path}/records", Scenario.Records(c))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await Api.ScalarAsync<int>(
            "INSERT INTO certificate_sequences (scheme_id, year, last_seq) VALUES (@id, extract(year FROM now() AT TIME ZONE 'UTC')::int, 2147483647) RETURNING 1",
            ("id", c.Scheme.Id));
        var before = await Api.CountRowsAsync();
        var rows = await CertificateSteps.CertificateRowsAsync(Api);

        var verdict = await c.Asesor.Client.PostAsJsonAsync($"{c.Path}/verdict", new { competent = true });

        Assert.That((int)verdict.StatusCode, Is.EqualTo(500), await verdict.Content.ReadAsStringAsync());
        Assert.Multiple(async () =>
        {
            Assert.That(await Api.ScalarAsync<string>("SELECT status FROM registrations WHERE id = @id", ("id", c.RegistrationId)), Is.EqualTo(RegistrationStatus.Scheduled));
            Assert.That(await Api.CountRowsAsync(), Is.EqualTo(before));
            Assert.That(await CertificateSteps.CertificateRowsAsync(Api), Is.EqualTo(rows));
        });
    }

    [Test]
    public async Task A_scheme_takes_its_validity_on_create_and_replace_and_refuses_one_outside_one_to_ten_years()
    {
        var scheme = new
        {
            code = "VAL-" + Guid.NewGuid().ToString("N")[..6],
            name = "Validity",
            validityYears = 4,
            units = new[] { new { code = "U1", title = "Unit", elements = new[] { new { title = "E", criteria = new[] { new { text = "C" } } } } } },
        };
        var created = await CertificateSteps.JsonAsync(await Api.Admin.Client.PostAsJsonAsync("api/v1/schemes", scheme), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetInt64();
        var replaced = await CertificateSteps.JsonAsync(await Api.Admin.Client.PutAsJsonAsync($"api/v1/schemes/{id}", scheme with { validityYears = 2 }));
        var kept = await CertificateSteps.JsonAsync(await Api.Admin.Client.PutAsJsonAsync($"api/v1/schemes/{id}", new { scheme.code, scheme.name, scheme.units }));
        var fresh = await Scenario.CreateSchemeAsync();
        var before = await Api.CountRowsAsync();
        var tooLong = await Api.Admin.Client.PostAsJsonAsync("api/v1/schemes", scheme with { code = "VAL-X", validityYears = 11 });
        var zero = await Api.Admin.Client.PutAsJsonAsync($"api/v1/schemes/{id}", scheme with { validityYears = 0 });

        await ProblemAssert.NamesFieldAsync(tooLong, HttpStatusCode.BadRequest, "validityYears");
        await ProblemAssert.NamesFieldAsync(zero, HttpStatusCode.BadRequest, "validityYears");
        Assert.Multiple(async () =>
        {
            Assert.That(created.GetProperty("validityYears").GetInt32(), Is.EqualTo(4));
            Assert.That(replaced.GetProperty("validityYears").GetInt32(), Is.EqualTo(2));
            Assert.That(kept.GetProperty("validityYears").GetInt32(), Is.EqualTo(2), "omitted on replace: unchanged");
            Assert.That(fresh.ValidityYears, Is.EqualTo(3), "omitted on create: 3");
            Assert.That(await Api.CountRowsAsync(), Is.EqualTo(before));
            Assert.That(await Api.ScalarAsync<int>("SELECT validity_years FROM schemes WHERE id = @id", ("id", id)), Is.EqualTo(2));
        });
    }
}
