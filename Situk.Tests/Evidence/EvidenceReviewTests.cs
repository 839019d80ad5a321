using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Situk.Api.Evidence;
using Situk.Api.Registrations;
using Situk.Contracts;
using Situk.Tests.Api;
using static Situk.Tests.Evidence.EvidenceFiles;

namespace Situk.Tests.Evidence;

[Description("APL-01 files are accepted or rejected one by one during verification; a rejection tells the asesi, who replaces the file, "
    + "and APL-01 is not approved while a rejected file stands.")]
public sealed class EvidenceReviewTests : ApiTests
{
    [Test]
    [Description("document.rejected: one inbox row for the asesi, its push outbox row and its email, in the review's transaction.")]
    public async Task A_rejected_document_is_told_to_the_asesi_by_push_and_email()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Submitted);
        var doc = await StoreAsync(c);

        using var response = await Api.Admin.Client.PostAsJsonAsync($"{c.Path}/documents/{doc.Id}/review", new { accepted = false, note = "Foto KTP buram." });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var reviewed = (await response.Content.ReadFromJsonAsync<DocumentDto>())!;
        Assert.That((reviewed.Review, reviewed.ReviewNote, reviewed.ReviewedBy), Is.EqualTo(("rejected", "Foto KTP buram.", (long?)Api.Admin.Id)));

        var notification = await Api.ScalarAsync<long>(
            "SELECT id FROM notifications WHERE user_id = @user AND kind = @kind", ("user", c.Asesi.Id), ("kind", NotificationKinds.DocumentRejected));
        Assert.Multiple(async () =>
        {
            Assert.That(await Api.ScalarAsync<long>("SELECT count(*) FROM push_outbox WHERE notification_id = @n", ("n", notification)), Is.EqualTo(1));
            Assert.That(await Api.ScalarAsync<string>("SELECT text_body FROM email_outbox WHERE notification_id = @n", ("n", notification)), Does.Contain("Foto KTP buram."));
            Assert.That(await Api.ScalarAsync<string>("SELECT data->>'documentId' FROM notifications WHERE id = @n", ("n", notification)), Is.EqualTo(doc.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        });

        var inbox = await c.Asesi.Client.GetFromJsonAsync<JsonElement>("api/v1/me/notifications?order=desc&limit=1");
        Assert.That(inbox.GetProperty("items")[0].GetProperty("kind").GetString(), Is.EqualTo("document.rejected"));
    }

    [Test]
    [Description("Approval waits for a rejected file to be replaced (409 naming it); the replacement resets its review, then approval passes.")]
    public async Task Approving_apl01_with_a_rejected_document_is_409_naming_it_until_the_asesi_replaces_it()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Submitted);
        var accepted = await StoreAsync(c);
        var rejected = await StoreAsync(c, Form(Pdf(), "ijazah.pdf", "application/pdf", kind: "diploma"));
        Assert.That((await Api.Admin.Client.PostAsJsonAsync($"{c.Path}/documents/{accepted.Id}/review", new { accepted = true })).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await Api.Admin.Client.PostAsJsonAsync($"{c.Path}/documents/{rejected.Id}/review", new { accepted = false, note = "Ijazah tidak terbaca." })).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var before = await FingerprintAsync(Api);

        using (var blocked = await Api.Admin.Client.PostAsJsonAsync($"{c.Path}/verification", new { approved = true }))
        {
            var problem = await ProblemAssert.IsProblemAsync(blocked, HttpStatusCode.Conflict);
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain($"Document {rejected.Id} (ijazah.pdf)"));
            Assert.That(problem.GetProperty("documentId").GetInt64(), Is.EqualTo(rejected.Id));
        }

        Assert.That(await FingerprintAsync(Api), Is.EqualTo(before));

        var newBytes = Pdf(seed: 42);
        using (var replaced = await c.Asesi.Client.PutAsync($"{c.Path}/documents/{rejected.Id}", FileOnly(newBytes, "ijazah-jelas.pdf", "application/pdf")))
        {
            Assert.That(replaced.StatusCode, Is.EqualTo(HttpStatusCode.OK), await replaced.Content.ReadAsStringAsync());
            var document = (await replaced.Content.ReadFromJsonAsync<DocumentDto>())!;
            Assert.That((document.Review, document.ReviewNote, document.ReviewedBy, document.FileName, document.Kind), Is.EqualTo(("pending", (string?)null, (long?)null, "ijazah-jelas.pdf", "diploma")));
        }

        Assert.That(await c.Asesi.Client.GetByteArrayAsync($"{c.Path}/documents/{rejected.Id}/content"), Is.EqualTo(newBytes));
        using var approved = await Api.Admin.Client.PostAsJsonAsync($"{c.Path}/verification", new { approved = true });
        Assert.That(approved.StatusCode, Is.EqualTo(HttpStatusCode.OK), await approved.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Rejecting_a_registration_is_not_held_back_by_its_rejected_documents()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Submitted);
        var doc = await StoreAsync(c);
        Assert.That((await Api.Admin.Client.PostAsJsonAsync($"{c.Path}/documents/{doc.Id}/review", new { accepted = false, note = "Bukan KTP." })).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var response = await Api.Admin.Client.PostAsJsonAsync($"{c.Path}/verification", new { approved = false, note = "Dokumen tidak lengkap." });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Bad_reviews_are_refused_and_store_nothing()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Submitted);
        var doc = await StoreAsync(c);
        var elsewhere = await Scenario.CaseAtAsync(RegistrationStatus.Assigned);
        var otherSubmitted = await Scenario.CaseAtAsync(RegistrationStatus.Submitted);
        var otherAsesor = await Api.CreateUserAsync(Roles.Asesor);
        var review = $"{c.Path}/documents/{doc.Id}/review";
        var before = await FingerprintAsync(Api);

        await ProblemAssert.NamesFieldAsync(await Api.Admin.Client.PostAsJsonAsync(review, new { accepted = false }), HttpStatusCode.BadRequest, "note");
        await ProblemAssert.NamesFieldAsync(await Api.Admin.Client.PostAsJsonAsync(review, new { accepted = false, note = "   " }), HttpStatusCode.BadRequest, "note");
        await ProblemAssert.NamesFieldAsync(await Api.Admin.Client.PostAsJsonAsync(review, new { note = "x" }), HttpStatusCode.BadRequest, "accepted");
        await ProblemAssert.IsProblemAsync(await c.Asesi.Client.PostAsJsonAsync(review, new { accepted = true }), HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(await Api.Admin.Client.PostAsJsonAsync($"{c.Path}/documents/9000000001/review", new { accepted = true }), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await Api.Admin.Client.PostAsJsonAsync($"{otherSubmitted.Path}/documents/{doc.Id}/review", new { accepted = true }), HttpStatusCode.NotFound);

        // Reviewing files is part of verifying APL-01: an admin's job unless Situk:Registrations:AsesorsMayVerify.
        var assignedDoc = await Api.ScalarAsync<long>("SELECT count(*) FROM evidence_files WHERE registration_id = @r", ("r", elsewhere.RegistrationId));
        Assert.That(assignedDoc, Is.Zero);
        await ProblemAssert.IsProblemAsync(await otherAsesor.Client.PostAsJsonAsync($"{elsewhere.Path}/documents/{doc.Id}/review", new { accepted = true }), HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(await c.Asesor.Client.PostAsJsonAsync(review, new { accepted = true }), HttpStatusCode.Forbidden);
        Assert.That(await FingerprintAsync(Api), Is.EqualTo(before));

        Assert.That((await Api.Admin.Client.PostAsJsonAsync($"{c.Path}/verification", new { approved = true })).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        before = await FingerprintAsync(Api);
        await ProblemAssert.WrongStateAsync(await Api.Admin.Client.PostAsJsonAsync(review, new { accepted = false, note = "Terlambat." }), RegistrationStatus.Verified);
        Assert.That(await FingerprintAsync(Api), Is.EqualTo(before));
    }

    [Test]
    [Description("Backwards compatibility: APL-01's typed evidence references are still taken and returned beside the files.")]
    public async Task Apl01_typed_evidence_references_still_work_beside_files()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Submitted);
        await StoreAsync(c);
        var registration = (await c.Asesi.Client.GetFromJsonAsync<RegistrationDto>(c.Path))!;
        Assert.That(registration.Apl01.Evidence!.Select(e => (e.Name, e.Reference)), Is.EqualTo(new[] { ("KTM", "https://files.example/ktm.pdf") }));
        var list = (await c.Asesi.Client.GetFromJsonAsync<DocumentListDto>($"{c.Path}/documents"))!;
        Assert.That(list.Items, Has.Count.EqualTo(1));
    }

    private static async Task<DocumentDto> StoreAsync(Case c, MultipartFormDataContent? form = null)
    {
        using var response = await UploadAsync(c.Asesi.Client, c, form ?? Form(Jpeg()));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<DocumentDto>())!;
    }
}
