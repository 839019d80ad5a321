using System.Net;
using Situk.Contracts;
using Situk.Tests.Api;

namespace Situk.Tests.Certificates;

[Description("GET /me/certificates lists the asesi's own certificates; GET /certificates lets admins page through all of them by id, "
    + "filtered by scheme and status. Other roles get 403, bad parameters 400 naming them.")]
public sealed class CertificateListTests : ApiTests
{
    [Test]
    public async Task An_asesi_lists_only_their_own_certificates()
    {
        var mine = await Scenario.CertifiedAsync();
        var theirs = await Scenario.CertifiedAsync();

        var page = await CertificateSteps.JsonAsync(await mine.Case.Asesi.Client.GetAsync("api/v1/me/certificates"));

        var numbers = page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetString()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(numbers, Is.EqualTo(new[] { mine.Number }));
            Assert.That(numbers, Does.Not.Contain(theirs.Number));
            Assert.That(page.GetProperty("items")[0].GetProperty("status").GetString(), Is.EqualTo("valid"));
        });
    }

    [Test]
    public async Task An_admin_pages_through_certificates_filtered_by_scheme_and_status()
    {
        var scheme = await Scenario.CreateSchemeAsync(units: 1, criteriaPerElement: 1);
        var schedule = await Scenario.CreateScheduleAsync(scheme.Id);
        var numbers = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var c = await Scenario.ScheduledOnAsync(scheme, schedule);
            await CertificateSteps.DeclareAsync(c, competent: true);
            numbers.Add(await CertificateSteps.NumberOfAsync(Api, c.RegistrationId));
        }

        await Scenario.CertifiedAsync(); // another scheme's
        var revoke = await Api.Admin.Client.PostAsync($"api/v1/certificates/{Uri.EscapeDataString(numbers[1])}/revocation", CertificateRevocationTests.Reason("Test."));
        Assert.That(revoke.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var first = await CertificateSteps.JsonAsync(await Api.Admin.Client.GetAsync($"api/v1/certificates?schemeId={scheme.Id}&limit=2"));
        var next = first.GetProperty("next").GetInt64();
        var second = await CertificateSteps.JsonAsync(await Api.Admin.Client.GetAsync($"api/v1/certificates?schemeId={scheme.Id}&limit=2&after={next}"));
        var revoked = await CertificateSteps.JsonAsync(await Api.Admin.Client.GetAsync($"api/v1/certificates?schemeId={scheme.Id}&status=revoked"));
        var valid = await CertificateSteps.JsonAsync(await Api.Admin.Client.GetAsync($"api/v1/certificates?schemeId={scheme.Id}&status=valid"));

        static List<string?> Numbers(System.Text.Json.JsonElement page) =>
            page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetString()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(Numbers(first).Concat(Numbers(second)), Is.EqualTo(numbers));
            Assert.That(second.GetProperty("next").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
            Assert.That(Numbers(revoked), Is.EqualTo(new[] { numbers[1] }));
            Assert.That(Numbers(valid), Is.EqualTo(new[] { numbers[0], numbers[2] }));
        });
    }

    [Test]
    public async Task Other_roles_get_403_and_bad_parameters_400_naming_them()
    {
        var asesi = await Api.CreateUserAsync(Roles.Asesi);
        var asesor = await Api.CreateUserAsync(Roles.Asesor);

        await ProblemAssert.IsProblemAsync(await asesi.Client.GetAsync("api/v1/certificates"), HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(await asesor.Client.GetAsync("api/v1/certificates"), HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(await asesor.Client.GetAsync("api/v1/me/certificates"), HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(await Api.Admin.Client.GetAsync("api/v1/me/certificates"), HttpStatusCode.Forbidden);
        await ProblemAssert.NamesFieldAsync(await Api.Admin.Client.GetAsync("api/v1/certificates?status=lost"), HttpStatusCode.BadRequest, "status");
        await ProblemAssert.NamesFieldAsync(await Api.Admin.Client.GetAsync("api/v1/certificates?limit=0"), HttpStatusCode.BadRequest, "limit");
        await ProblemAssert.NamesFieldAsync(await Api.Admin.Client.GetAsync("api/v1/certificates?schemeId=0"), HttpStatusCode.BadRequest, "schemeId");
        await ProblemAssert.NamesFieldAsync(await asesi.Client.GetAsync("api/v1/me/certificates?after=-1"), HttpStatusCode.BadRequest, "after");
    }
}
