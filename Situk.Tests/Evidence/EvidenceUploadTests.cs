using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Situk.Api.Evidence;
using Situk.Api.Registrations;
using Situk.Tests.Api;
using static Situk.Tests.Evidence.EvidenceFiles;

namespace Situk.Tests.Evidence;

[Description("Uploading APL-01 attachments and APL-02 evidence as multipart/form-data: stored with the type their bytes show, "
    + "bounded, and every bad form a problem naming the field with nothing stored.")]
public sealed class EvidenceUploadTests : ApiTests
{
    private const int FiveMiB = 5 * 1024 * 1024;

    [Test]
    public async Task An_identity_card_is_stored_with_the_type_its_bytes_show_and_listed()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Submitted);
        var bytes = Jpeg();

        using var response = await UploadAsync(c.Asesi.Client, c, Form(bytes, "ktp.jpeg", "application/octet-stream"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var stored = (await response.Content.ReadFromJsonAsync<DocumentDto>())!;
        Assert.Multiple(() =>
        {
            Assert.That(stored.ContentType, Is.EqualTo("image/jpeg"), "the detected type, not the declared octet-stream");
            Assert.That(stored.Kind, Is.EqualTo("identity_card"));
            Assert.That(stored.Purpose, Is.EqualTo("apl01"));
            Assert.That(stored.FileName, Is.EqualTo("ktp.jpeg"));
            Assert.That(stored.Size, Is.EqualTo(bytes.Length));
            Assert.That(stored.Sha256, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(bytes))));
            Assert.That(stored.Review, Is.EqualTo("pending"));
            Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/api/v1/registrations/{c.RegistrationId}/documents/{stored.Id}/content"));
        });

        var list = (await c.Asesi.Client.GetFromJsonAsync<DocumentListDto>($"{c.Path}/documents"))!;
        Assert.That(list.Items.Select(d => d.Id), Is.EqualTo(new[] { stored.Id }));
        Assert.That(list.TotalBytes, Is.EqualTo(bytes.Length));
        Assert.That(list.MaxFiles, Is.EqualTo(30));
    }

    [Test]
    [Description("A 4 MiB PDF goes up and comes back byte for byte, as an attachment the browser may not sniff.")]
    public async Task A_4_MiB_pdf_downloads_byte_for_byte_as_an_attachment()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Submitted);
        var bytes = Pdf(4 * 1024 * 1024);
        using var uploaded = await UploadAsync(c.Asesi.Client, c, Form(bytes, "ijazah.pdf", "application/pdf", kind: "diploma"));
        Assert.That(uploaded.StatusCode, Is.EqualTo(HttpStatusCode.Created), await uploaded.Content.ReadAsStringAsync());
        var stored = (await uploaded.Content.ReadFromJsonAsync<DocumentDto>())!;

        using var response = await c.Asesi.Client.GetAsync($"{c.Path}/documents/{stored.Id}/content", HttpCompletionOption.ResponseHeadersRead);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await using var body = await response.Content.ReadAsStreamAsync();
        var hash = await SHA256.HashDataAsync(body);
        Assert.Multiple(() =>
        {
            Assert.That(Convert.ToHexStringLower(hash), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(bytes))));
            Assert.That(stored.Sha256, Is.EqualTo(Convert.ToHexStringLower(hash)));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/pdf"));
            Assert.That(response.Content.Headers.ContentDisposition?.DispositionType, Is.EqualTo("attachment"));
            Assert.That(response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName, Is.EqualTo("ijazah.pdf"));
            Assert.That(response.Headers.GetValues("X-Content-Type-Options"), Is.EqualTo(new[] { "nosniff" }));
        });
    }

    [Test]
    public async Task A_file_of_exactly_the_limit_is_stored_and_one_byte_more_is_413_naming_file_and_stores_nothing()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Submitted);
        using (var atLimit = await UploadAsync(c.Asesi.Client, c, Form(Png(FiveMiB), "foto.png", "image/png", kind: "photo")))
        {
            Assert.That(atLimit.StatusCode, Is.EqualTo(HttpStatusCode.Created), await atLimit.Content.ReadAsStringAsync());
        }

        var before = await FingerprintAsync(Api);
        using var over = await UploadAsync(c.Asesi.Client, c, Form(Png(FiveMiB + 1), "foto.png", "image/png", kind: "photo"));
        var problem = await ProblemAssert.NamesFieldAsync(over, HttpStatusCode.RequestEntityTooLarge, "file");
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("5,242,880"));
        Assert.That(await FingerprintAsync(Api), Is.EqualTo(before));
    }

    public static IEnumerable<TestCaseData> Disguises()
    {
        yield return new TestCaseData(ExeMagic, "scan.pdf", "application/pdf").SetName("An EXE named scan.pdf, declared application/pdf");
        yield return new TestCaseData(HtmlMagic, "ktp.png", "image/png").SetName("HTML named ktp.png, declared image/png");
        yield return new TestCaseData(ExeMagic, "ktp.png", "application/pdf").SetName("An EXE named ktp.png, declared application/pdf");
        yield return new TestCaseData("GIF89a"u8.ToArray(), "foto.jpg", "image/jpeg").SetName("A GIF named foto.jpg");
        yield return new TestCaseData("%PD"u8.ToArray(), "tiny.pdf", "application/pdf").SetName("Three bytes short of a PDF signature");
    }

    [TestCaseSource(nameof(Disguises))]
    public async Task A_file_whose_bytes_are_not_pdf_jpeg_or_png_is_415_naming_file_whatever_its_name_and_type(byte[] magic, string name, string type)
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Submitted);
        var before = await FingerprintAsync(Api);
        using var response = await UploadAsync(c.Asesi.Client, c, Form(Make(magic, Math.Max(magic.Length, 3000)), name, type));
        await ProblemAssert.NamesFieldAsync(response, HttpStatusCode.UnsupportedMediaType, "file");
        Assert.That(await FingerprintAsync(Api), Is.EqualTo(before));
    }

    [Test]
    public async Task Bodies_that_are_not_well_formed_multipart_are_400_or_415_naming_body_and_store_nothing()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Submitted);
        var before = await FingerprintAsync(Api);
        var url = $"{c.Path}/documents";

        using (var json = await c.Asesi.Client.PostAsJsonAsync(url, new { kind = "photo" }))
        {
            await ProblemAssert.NamesFieldAsync(json, HttpStatusCode.UnsupportedMediaType, "body");
        }

        foreach (var (contentType, body, what) in new[]
        {
            ("multipart/form-data", "--x\r\n\r\n", "no boundary parameter"),
            ("multipart/form-data; boundary=abc", "this is not multipart at all", "no boundary in the body"),
            ("multipart/form-data; boundary=abc", "--abc\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nphoto\r\n--abc\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n\r\n\xFF", "cut off inside the file"),
            ("multipart/form-data; boundary=abc", "--abc\r\nX-Nothing: here\r\n\r\nphoto\r\n--abc--\r\n", "a part without Content-Disposition"),
            ("multipart/form-data; boundary=" + new string('b', 71), "--x", "a boundary over 70 characters"),
        })
        {
            using var content = new ByteArrayContent(Encoding.Latin1.GetBytes(body));
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            using var response = await c.Asesi.Client.PostAsync(url, content);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), what);
            await ProblemAssert.NamesFieldAsync(response, HttpStatusCode.BadRequest, "body");
        }

        Assert.That(await FingerprintAsync(Api), Is.EqualTo(before));
    }

    [Test]
    public async Task A_missing_empty_or_second_file_is_400_naming_file_and_stores_nothing()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Submitted);
        var before = await FingerprintAsync(Api);

        var twoFiles = Form(Jpeg());
        twoFiles.Add(FilePart(Jpeg(seed: 9)), "file", "second.jpg");
        foreach (var (form, what) in new[] { (Form(null), "no file part"), (Form([]), "an empty file"), (twoFiles, "two files") })
        {
            using var response = await UploadAsync(c.Asesi.Client, c, form);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), what);
            await ProblemAssert.NamesFieldAsync(response, HttpStatusCode.BadRequest, "file");
        }

        Assert.That(await FingerprintAsync(Api), Is.EqualTo(before));
    }

    [Test]
    public async Task Bad_form_fields_are_400_naming_each_and_store_nothing()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Submitted);
        var before = await FingerprintAsync(Api);
        var withExtra = Form(Jpeg());
        withExtra.Add(new StringContent("merah"), "colour");
        var withLong = Form(Jpeg(), kind: new string('k', 300));
        var cases = new (MultipartFormDataContent Form, string Field)[]
        {
            (Form(Jpeg(), kind: null), "kind"),
            (Form(Jpeg(), kind: "passport"), "kind"),
            (Form(Jpeg(), kind: "Identity_Card"), "kind"),
            (Form(Jpeg(), purpose: null), "purpose"),
            (Form(Jpeg(), purpose: "apl03"), "purpose"),
            (Form(Jpeg(), criterionId: "1"), "criterionId"),
            (withExtra, "colour"),
            (withLong, "kind"),
        };
        foreach (var (form, field) in cases)
        {
            using var response = await UploadAsync(c.Asesi.Client, c, form);
            await ProblemAssert.NamesFieldAsync(response, HttpStatusCode.BadRequest, field);
        }

        Assert.That(await FingerprintAsync(Api), Is.EqualTo(before));
    }

    [Test]
    public async Task Apl02_evidence_names_a_criterion_of_its_own_scheme_or_is_refused()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Assigned);
        var other = await Scenario.CreateSchemeAsync();
        var before = await FingerprintAsync(Api);

        using (var bad = await UploadAsync(c.Asesi.Client, c, Form(Pdf(), "portofolio.pdf", "application/pdf", kind: "other", purpose: "apl02", criterionId: "abc")))
        {
            await ProblemAssert.NamesFieldAsync(bad, HttpStatusCode.BadRequest, "criterionId");
        }

        var foreign = other.Units.First().Elements.First().Criteria.First().Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using (var elsewhere = await UploadAsync(c.Asesi.Client, c, Form(Pdf(), "portofolio.pdf", "application/pdf", kind: "other", purpose: "apl02", criterionId: foreign)))
        {
            await ProblemAssert.NamesFieldAsync(elsewhere, HttpStatusCode.UnprocessableEntity, "criterionId");
        }

        Assert.That(await FingerprintAsync(Api), Is.EqualTo(before));

        var own = c.CriterionIds[0].ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var stored = await UploadAsync(c.Asesi.Client, c, Form(Pdf(), "portofolio.pdf", "application/pdf", kind: "other", purpose: "apl02", criterionId: own));
        Assert.That(stored.StatusCode, Is.EqualTo(HttpStatusCode.Created), await stored.Content.ReadAsStringAsync());
        var document = (await stored.Content.ReadFromJsonAsync<DocumentDto>())!;
        Assert.That((document.Purpose, document.CriterionId), Is.EqualTo(("apl02", (long?)c.CriterionIds[0])));
    }

    public static IEnumerable<TestCaseData> Names()
    {
        yield return new TestCaseData("../../etc/passwd.jpg", "passwd.jpg").SetName("Parent directories are dropped");
        yield return new TestCaseData("C:\\Users\\putu\\Desktop\\ktp.jpg", "ktp.jpg").SetName("A Windows path keeps only its last segment");
        yield return new TestCaseData("ktp\r\nX-Injected: yes.jpg", "ktpX-Injected yes.jpg").SetName("Line breaks and colons are dropped");
        yield return new TestCaseData("foto\u202Egpj.exe", "fotogpj.exe.jpg").SetName("A bidi override is dropped and the real extension added");
        yield return new TestCaseData("scan.pdf", "scan.pdf.jpg").SetName("A JPEG named .pdf gets .jpg");
        yield return new TestCaseData("...", "document.jpg").SetName("Nothing left becomes document.jpg");
        yield return new TestCaseData(new string('a', 300) + ".jpg", new string('a', 112) + ".jpg").SetName("A long name is cut to 120 characters");
    }

    [TestCaseSource(nameof(Names))]
    public async Task The_stored_file_name_is_the_last_segment_without_control_characters_ending_in_the_detected_type(string sent, string stored)
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Submitted);
        var form = new MultipartFormDataContent { { new StringContent("photo"), "kind" }, { new StringContent("apl01"), "purpose" } };
        var file = FilePart(Jpeg());
        file.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "\"file\"", FileNameStar = sent };
        form.Add(file);

        using var response = await UploadAsync(c.Asesi.Client, c, form);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var document = (await response.Content.ReadFromJsonAsync<DocumentDto>())!;
        Assert.That(document.FileName, Is.EqualTo(stored));

        using var download = await c.Asesi.Client.GetAsync($"{c.Path}/documents/{document.Id}/content");
        Assert.That(download.Content.Headers.ContentDisposition?.FileNameStar, Is.EqualTo(stored));
    }
}
