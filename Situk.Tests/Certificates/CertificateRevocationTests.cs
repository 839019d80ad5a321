using System.Net;
using System.Net.Http.Json;
using System.Text;
using Dapper;
using Situk.Contracts;
using Situk.Tests.Api;

namespace Situk.Tests.Certificates;

[Description("POST /certificates/{number}/revocation: an admin revokes with a reason (1–2000 characters) and the holder is told by push and "
    + "email; revoking again is 409, another role 403, an unknown number 404, a bad reason 400 naming it, and each refusal stores nothing.")]
public sealed class CertificateRevocationTests : ApiTests
{
    public static JsonContent Reason(string reason) => JsonContent.Create(new { reason });

    [Test]
    public async Task An_admin_revokes_a_certificate_and_the_holder_is_told_by_push_and_email_with_the_reason()
    {
        var certified = await Scenario.CertifiedAsync();

        var answer = await CertificateSteps.JsonAsync(await Api.Admin.Client.PostAsync($"{certified.Path}/revocation", Reason("Forged portfolio evidence.")));

        await using var db = Api.OpenDb();
        var stored = await db.QuerySingleAsync<(DateTime? RevokedAt, long? RevokedBy, string Reason)>(
            "SELECT revoked_at, revoked_by, revocation_reason FROM certificates WHERE number = @n", new { n = certified.Number });
        var notice = await db.QuerySingleAsync<(long Id, long UserId, string Body)>(
            "SELECT id, user_id, body FROM notifications WHERE kind = @kind AND data->>'certificateNumber' = @n",
            new { kind = NotificationKinds.CertificateRevoked, n = certified.Number });
        var pushed = await db.ExecuteScalarAsync<long>("SELECT count(*) FROM push_outbox WHERE notification_id = @id", new { id = notice.Id });
        var email = await db.QuerySingleAsync<string>("SELECT text_body FROM email_outbox WHERE notification_id = @id", new { id = notice.Id });
        Assert.Multiple(() =>
        {
            Assert.That(answer.GetProperty("status").GetString(), Is.EqualTo("revoked"));
            Assert.That(answer.GetProperty("revocationReason").GetString(), Is.EqualTo("Forged portfolio evidence."));
            Assert.That(stored.RevokedAt, Is.Not.Null);
            Assert.That(stored.RevokedBy, Is.EqualTo(Api.Admin.Id));
            Assert.That(stored.Reason, Is.EqualTo("Forged portfolio evidence."));
            Assert.That(notice.UserId, Is.EqualTo(certified.Case.Asesi.Id));
            Assert.That(notice.Body, Does.Contain(certified.Number).And.Contain("Forged portfolio evidence."));
            Assert.That(pushed, Is.EqualTo(1));
            Assert.That(email, Does.Contain("Forged portfolio evidence."));
        });
    }

    [Test]
    public async Task Revoking_twice_is_409_and_keeps_the_first_revocation()
    {
        var certified = await Scenario.CertifiedAsync();
        Assert.That((await Api.Admin.Client.PostAsync($"{certified.Path}/revocation", Reason("First."))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var before = await Api.CountRowsAsync();
        var rows = await CertificateSteps.CertificateRowsAsync(Api);

        var again = await Api.Admin.Client.PostAsync($"{certified.Path}/revocation", Reason("Second."));

        var problem = await ProblemAssert.IsProblemAsync(again, HttpStatusCode.Conflict);
        Assert.Multiple(async () =>
        {
            Assert.That(problem.GetProperty("currentStatus").GetString(), Is.EqualTo("revoked"));
            Assert.That(await Api.CountRowsAsync(), Is.EqualTo(before));
            Assert.That(await CertificateSteps.CertificateRowsAsync(Api), Is.EqualTo(rows));
        });
    }

    [Test]
    public async Task The_holder_or_an_asesor_revoking_is_403_and_an_unknown_number_404_storing_nothing()
    {
        var certified = await Scenario.CertifiedAsync();
        var before = await Api.CountRowsAsync();
        var rows = await CertificateSteps.CertificateRowsAsync(Api);

        await ProblemAssert.IsProblemAsync(await certified.Case.Asesi.Client.PostAsync($"{certified.Path}/revocation", Reason("Mine.")), HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(await certified.Case.Asesor.Client.PostAsync($"{certified.Path}/revocation", Reason("Wrong.")), HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(await Api.CreateClient().PostAsync($"{certified.Path}/revocation", Reason("Anyone.")), HttpStatusCode.Unauthorized);
        await ProblemAssert.IsProblemAsync(await Api.Admin.Client.PostAsync("api/v1/certificates/NONE%2F2026%2F00001/revocation", Reason("Who?")), HttpStatusCode.NotFound);

        Assert.That(await Api.CountRowsAsync(), Is.EqualTo(before));
        Assert.That(await CertificateSteps.CertificateRowsAsync(Api), Is.EqualTo(rows));
    }

    [TestCase("{\"reason\":\"\"}")]
    [TestCase("{\"reason\":\"   \"}")]
    [TestCase("{}")]
    [TestCase("{\"reason\":null}")]
    [TestCase("long")]
    public async Task A_missing_blank_or_overlong_reason_is_400_naming_reason_and_stores_nothing(string body)
    {
        var certified = await Scenario.CertifiedAsync();
        var before = await Api.CountRowsAsync();
        var rows = await CertificateSteps.CertificateRowsAsync(Api);
        var json = body == "long" ? $"{{\"reason\":\"{new string('x', 2001)}\"}}" : body;

        var response = await Api.Admin.Client.PostAsync($"{certified.Path}/revocation", new StringContent(json, Encoding.UTF8, "application/json"));

        await ProblemAssert.NamesFieldAsync(response, HttpStatusCode.BadRequest, "reason");
        Assert.That(await Api.CountRowsAsync(), Is.EqualTo(before));
        Assert.That(await CertificateSteps.CertificateRowsAsync(Api), Is.EqualTo(rows));
    }
}
