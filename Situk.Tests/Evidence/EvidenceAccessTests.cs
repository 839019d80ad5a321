using System.Net;
using System.Net.Http.Json;
using Situk.Api.Evidence;
using Situk.Api.Registrations;
using Situk.Contracts;
using Situk.Tests.Api;
using static Situk.Tests.Evidence.EvidenceFiles;

namespace Situk.Tests.Evidence;

[Description("Who may upload, see and replace a registration's files, and when: 403 for the wrong role, 404 for someone else's "
    + "registration or file (existence is not revealed), 409 naming the status outside the upload window; nothing stored on refusal.")]
public sealed class EvidenceAccessTests : ApiTests
{
    [Test]
    public async Task Only_the_registrations_own_asesi_may_upload()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Submitted);
        var stranger = await Api.CreateUserAsync(Roles.Asesi);
        var before = await FingerprintAsync(Api);

        foreach (var client in new[] { c.Asesor.Client, Api.Admin.Client })
        {
            using var response = await UploadAsync(client, c, Form(Jpeg()));
            await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden);
        }

        using (var notTheirs = await UploadAsync(stranger.Client, c, Form(Jpeg())))
        {
            await ProblemAssert.IsProblemAsync(notTheirs, HttpStatusCode.NotFound);
        }

        using (var unknown = await c.Asesi.Client.PostAsync("api/v1/registrations/9000000001/documents", Form(Jpeg())))
        {
            await ProblemAssert.IsProblemAsync(unknown, HttpStatusCode.NotFound);
        }

        using (var anonymous = await Api.CreateClient().PostAsync($"{c.Path}/documents", Form(Jpeg())))
        {
            await ProblemAssert.IsProblemAsync(anonymous, HttpStatusCode.Unauthorized);
        }

        Assert.That(await FingerprintAsync(Api), Is.EqualTo(before));
    }

    [Test]
    [Description("The asesi, the assigned asesor and admins read the files; another asesi, another asesor and unknown or mismatched ids are 404.")]
    public async Task Files_are_seen_by_their_asesi_their_asesor_and_admins_and_are_404_to_everyone_else()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Assigned);
        var elsewhere = await Scenario.CaseAtAsync(RegistrationStatus.Submitted);
        var bytes = Pdf();
        using var uploaded = await UploadAsync(c.Asesi.Client, c, Form(bytes, "portofolio.pdf", "application/pdf", kind: "other", purpose: "apl02"));
        Assert.That(uploaded.StatusCode, Is.EqualTo(HttpStatusCode.Created), await uploaded.Content.ReadAsStringAsync());
        var doc = (await uploaded.Content.ReadFromJsonAsync<DocumentDto>())!;
        var content = $"{c.Path}/documents/{doc.Id}/content";

        foreach (var client in new[] { c.Asesi.Client, c.Asesor.Client, Api.Admin.Client })
        {
            Assert.That(await client.GetByteArrayAsync(content), Is.EqualTo(bytes));
            var list = (await client.GetFromJsonAsync<DocumentListDto>($"{c.Path}/documents"))!;
            Assert.That(list.Items.Select(d => d.Id), Is.EqualTo(new[] { doc.Id }));
        }

        var strangerAsesi = await Api.CreateUserAsync(Roles.Asesi);
        var otherAsesor = await Api.CreateUserAsync(Roles.Asesor);
        foreach (var client in new[] { strangerAsesi.Client, otherAsesor.Client, elsewhere.Asesi.Client })
        {
            await ProblemAssert.IsProblemAsync(await client.GetAsync(content), HttpStatusCode.NotFound);
            await ProblemAssert.IsProblemAsync(await client.GetAsync($"{c.Path}/documents"), HttpStatusCode.NotFound);
        }

        // The file's id under another registration, and ids that name nothing.
        await ProblemAssert.IsProblemAsync(await Api.Admin.Client.GetAsync($"{elsewhere.Path}/documents/{doc.Id}/content"), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await Api.Admin.Client.GetAsync($"{c.Path}/documents/9000000001/content"), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await Api.Admin.Client.GetAsync("api/v1/registrations/9000000001/documents"), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await Api.Admin.Client.GetAsync($"{c.Path}/documents/abc/content"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Another_asesis_file_cannot_be_replaced_and_unknown_files_are_404()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Submitted);
        var doc = await StoreAsync(c);
        var stranger = await Api.CreateUserAsync(Roles.Asesi);
        var before = await FingerprintAsync(Api);

        await ProblemAssert.IsProblemAsync(await stranger.Client.PutAsync($"{c.Path}/documents/{doc.Id}", FileOnly(Jpeg(seed: 5))), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await c.Asesi.Client.PutAsync($"{c.Path}/documents/9000000001", FileOnly(Jpeg(seed: 5))), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await c.Asesor.Client.PutAsync($"{c.Path}/documents/{doc.Id}", FileOnly(Jpeg(seed: 5))), HttpStatusCode.Forbidden);
        using (var withFields = await c.Asesi.Client.PutAsync($"{c.Path}/documents/{doc.Id}", Form(Jpeg(seed: 5))))
        {
            await ProblemAssert.NamesFieldAsync(withFields, HttpStatusCode.BadRequest, "kind");
        }

        Assert.That(await FingerprintAsync(Api), Is.EqualTo(before));
    }

    [Test]
    [Description("APL-01 files only while submitted, APL-02 evidence only while assigned; replacements follow the same windows.")]
    public async Task Uploads_and_replacements_outside_their_window_are_409_naming_the_status()
    {
        var submitted = await Scenario.CaseAtAsync(RegistrationStatus.Submitted);
        var apl01Doc = await StoreAsync(submitted);
        var assigned = await Scenario.CaseAtAsync(RegistrationStatus.Assigned);
        var before = await FingerprintAsync(Api);

        // APL-02 evidence before an asesor is assigned, APL-01 files once verification is over.
        await ProblemAssert.WrongStateAsync(
            await UploadAsync(submitted.Asesi.Client, submitted, Form(Pdf(), "p.pdf", "application/pdf", kind: "other", purpose: "apl02")), RegistrationStatus.Submitted);
        await ProblemAssert.WrongStateAsync(await UploadAsync(assigned.Asesi.Client, assigned, Form(Jpeg())), RegistrationStatus.Assigned);
        Assert.That(await FingerprintAsync(Api), Is.EqualTo(before));

        using (var verified = await Api.Admin.Client.PostAsJsonAsync($"{submitted.Path}/verification", new { approved = true }))
        {
            Assert.That(verified.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        before = await FingerprintAsync(Api);
        await ProblemAssert.WrongStateAsync(await UploadAsync(submitted.Asesi.Client, submitted, Form(Jpeg())), RegistrationStatus.Verified);
        await ProblemAssert.WrongStateAsync(await submitted.Asesi.Client.PutAsync($"{submitted.Path}/documents/{apl01Doc.Id}", FileOnly(Jpeg(seed: 7))), RegistrationStatus.Verified);
        Assert.That(await FingerprintAsync(Api), Is.EqualTo(before));

        var rejected = await Scenario.CaseAtAsync(RegistrationStatus.Rejected);
        await ProblemAssert.WrongStateAsync(await UploadAsync(rejected.Asesi.Client, rejected, Form(Jpeg())), RegistrationStatus.Rejected);

        var evidence = await StoreAsync(assigned, Form(Pdf(), "p.pdf", "application/pdf", kind: "other", purpose: "apl02"));
        using (var apl02 = await assigned.Asesi.Client.PutAsJsonAsync($"{assigned.Path}/apl02", Scenario.Apl02(assigned)))
        {
            Assert.That(apl02.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        var afterApl02 = await FingerprintAsync(Api);
        await ProblemAssert.WrongStateAsync(
            await UploadAsync(assigned.Asesi.Client, assigned, Form(Pdf(), "p.pdf", "application/pdf", kind: "other", purpose: "apl02")), RegistrationStatus.Apl02Submitted);
        await ProblemAssert.WrongStateAsync(
            await assigned.Asesi.Client.PutAsync($"{assigned.Path}/documents/{evidence.Id}", FileOnly(Pdf(seed: 8), "p.pdf", "application/pdf")), RegistrationStatus.Apl02Submitted);
        Assert.That(await FingerprintAsync(Api), Is.EqualTo(afterApl02));
    }

    private static async Task<DocumentDto> StoreAsync(Case c, MultipartFormDataContent? form = null)
    {
        using var response = await UploadAsync(c.Asesi.Client, c, form ?? Form(Jpeg()));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<DocumentDto>())!;
    }
}
