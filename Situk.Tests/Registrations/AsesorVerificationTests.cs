using System.Net;
using System.Net.Http.Json;
using Situk.Api.Evidence;
using Situk.Api.Registrations;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Evidence;
using Situk.Tests.Support;

namespace Situk.Tests.Registrations;

[Description("With Situk:Registrations:AsesorsMayVerify=true asesors verify APL-01 too, and so see the verification queue (unassigned "
    + "submitted registrations) — nothing more: once verified, or assigned to someone else, it is 404 to them again.")]
public sealed class AsesorVerificationTests
{
    private ApiFixture _api = null!;
    private Scenario _scenario = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _api = await ApiFixture.StartAsync(new Dictionary<string, string?> { ["Situk:Registrations:AsesorsMayVerify"] = "true" });
        _scenario = new Scenario(_api);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }
    }

    private static async Task<long[]> ListedAsync(HttpClient client, string query = "limit=200") =>
        (await client.GetFromJsonAsync<RegistrationPage>($"api/v1/registrations?{query}"))!.Items.Select(r => r.Id).ToArray();

    [Test]
    public async Task An_asesor_sees_the_queue_and_verifies_from_it()
    {
        var waiting = await _scenario.CaseAtAsync(RegistrationStatus.Submitted);
        var verified = await _scenario.CaseAtAsync(RegistrationStatus.Verified);
        var theirs = await _scenario.CaseAtAsync(RegistrationStatus.Assigned);
        var asesor = await _api.CreateUserAsync(Roles.Asesor);

        Assert.Multiple(async () =>
        {
            Assert.That(await ListedAsync(asesor.Client, "status=submitted&limit=200"), Does.Contain(waiting.RegistrationId));
            Assert.That(await ListedAsync(asesor.Client), Does.Not.Contain(verified.RegistrationId).And.Not.Contain(theirs.RegistrationId));
            Assert.That((await asesor.Client.GetAsync(waiting.Path)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
        await ProblemAssert.IsProblemAsync(await asesor.Client.GetAsync(verified.Path), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await asesor.Client.GetAsync(theirs.Path), HttpStatusCode.NotFound);

        using var response = await asesor.Client.PostAsJsonAsync($"{waiting.Path}/verification", new { approved = true });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That(await _api.ScalarAsync<long>("SELECT verified_by FROM registrations WHERE id = @id", ("id", waiting.RegistrationId)), Is.EqualTo(asesor.Id));

        // Verified, it has left the queue: the asesor no longer sees it.
        await ProblemAssert.IsProblemAsync(await asesor.Client.GetAsync(waiting.Path), HttpStatusCode.NotFound);
        Assert.That(await ListedAsync(asesor.Client), Does.Not.Contain(waiting.RegistrationId));
    }

    [Test]
    [Description("Verifying APL-01 means judging its files: an asesor in the queue lists, downloads and reviews them; once verified they are 404 again.")]
    public async Task An_asesor_sees_and_reviews_the_files_of_a_registration_in_the_queue()
    {
        var waiting = await _scenario.CaseAtAsync(RegistrationStatus.Submitted);
        var asesor = await _api.CreateUserAsync(Roles.Asesor);
        using var uploaded = await EvidenceFiles.UploadAsync(waiting.Asesi.Client, waiting, EvidenceFiles.Form(EvidenceFiles.Jpeg()));
        Assert.That(uploaded.StatusCode, Is.EqualTo(HttpStatusCode.Created), await uploaded.Content.ReadAsStringAsync());
        var doc = (await uploaded.Content.ReadFromJsonAsync<DocumentDto>())!;

        using var list = await asesor.Client.GetAsync($"{waiting.Path}/documents");
        using var content = await asesor.Client.GetAsync($"{waiting.Path}/documents/{doc.Id}/content");
        using var review = await asesor.Client.PostAsJsonAsync($"{waiting.Path}/documents/{doc.Id}/review", new { accepted = true });
        Assert.Multiple(() =>
        {
            Assert.That(list.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(content.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(review.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });

        using var verified = await asesor.Client.PostAsJsonAsync($"{waiting.Path}/verification", new { approved = true });
        Assert.That(verified.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await ProblemAssert.IsProblemAsync(await asesor.Client.GetAsync($"{waiting.Path}/documents"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Outside_the_queue_an_asesor_verifying_is_404_or_409_and_changes_nothing()
    {
        var theirs = await _scenario.CaseAtAsync(RegistrationStatus.Assigned);
        var mine = await _scenario.CaseAtAsync(RegistrationStatus.Assigned);
        var before = await _api.CountRowsAsync();

        await ProblemAssert.IsProblemAsync(await mine.Asesor.Client.PostAsJsonAsync($"{theirs.Path}/verification", new { approved = true }), HttpStatusCode.NotFound);
        await ProblemAssert.WrongStateAsync(await mine.Asesor.Client.PostAsJsonAsync($"{mine.Path}/verification", new { approved = true }), RegistrationStatus.Assigned);

        Assert.That(await _api.CountRowsAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task An_asesi_verifying_is_still_403()
    {
        var c = await _scenario.CaseAtAsync(RegistrationStatus.Submitted);
        var before = await _api.CountRowsAsync();

        await ProblemAssert.IsProblemAsync(await c.Asesi.Client.PostAsJsonAsync($"{c.Path}/verification", new { approved = true }), HttpStatusCode.Forbidden);

        Assert.That(await _api.CountRowsAsync(), Is.EqualTo(before));
    }
}
