using System.Net;
using PdfSharp.Pdf.Content;
using PdfSharp.Pdf.Content.Objects;
using PdfSharp.Pdf.IO;
using Situk.Contracts;
using Situk.Tests.Api;

namespace Situk.Tests.Certificates;

[Description("GET /certificates/{number}/pdf: the holder and admins download the certificate as a PDF (read back with PDFsharp); "
    + "an asesor is 403, another asesi and an unknown number 404, anonymous 401, and none of them stores anything.")]
public sealed class CertificatePdfTests : ApiTests
{
    [Test]
    public async Task The_holder_downloads_a_pdf_naming_the_lsp_holder_scheme_number_dates_and_check_url()
    {
        var certified = await Scenario.CertifiedAsync();

        var response = await certified.Case.Asesi.Client.GetAsync($"{certified.Path}/pdf");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var text = string.Join('\n', TextOf(bytes));
        var check = await CertificateSteps.JsonAsync(await Api.CreateClient().GetAsync(certified.Path));
        Assert.Multiple(() =>
        {
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/pdf"));
            Assert.That(bytes.AsSpan(0, 5).ToArray(), Is.EqualTo("%PDF-"u8.ToArray()));
            Assert.That(text, Does.Contain($"Number: {certified.Number}"));
            Assert.That(text, Does.Contain(certified.Case.Asesi.FullName));
            Assert.That(text, Does.Contain("Lembaga Sertifikasi Profesi"), "Situk:Lsp:Name's default");
            Assert.That(text, Does.Contain("Issued: " + check.GetProperty("issuedAt").GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(text, Does.Contain("Valid until: " + check.GetProperty("expiresAt").GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(text, Does.Contain("http://localhost:5000/api/v1/certificates/" + certified.Segment), "absolute on Situk:PublicWebUrl");
        });
    }

    [Test]
    public async Task An_admin_downloads_any_certificate()
    {
        var certified = await Scenario.CertifiedAsync();

        var response = await Api.Admin.Client.GetAsync($"{certified.Path}/pdf");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(TextOf(await response.Content.ReadAsByteArrayAsync()), Has.Some.Contains(certified.Number));
    }

    [Test]
    public async Task Another_asesi_and_an_unknown_number_get_the_same_404_an_asesor_403_and_anonymous_401_storing_nothing()
    {
        var certified = await Scenario.CertifiedAsync();
        var other = await Api.CreateUserAsync(Roles.Asesi);
        var before = await Api.CountRowsAsync();
        var rows = await CertificateSteps.CertificateRowsAsync(Api);

        var notYours = await other.Client.GetAsync($"{certified.Path}/pdf");
        var unknown = await other.Client.GetAsync("api/v1/certificates/NONE%2F2026%2F00001/pdf");
        var asesor = await certified.Case.Asesor.Client.GetAsync($"{certified.Path}/pdf");
        var anonymous = await Api.CreateClient().GetAsync($"{certified.Path}/pdf");

        var notYoursProblem = await ProblemAssert.IsProblemAsync(notYours, HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(unknown, HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(asesor, HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(anonymous, HttpStatusCode.Unauthorized);
        Assert.Multiple(async () =>
        {
            Assert.That(notYoursProblem.GetProperty("title").GetString(), Is.EqualTo("Not found"));
            Assert.That(await Api.CountRowsAsync(), Is.EqualTo(before));
            Assert.That(await CertificateSteps.CertificateRowsAsync(Api), Is.EqualTo(rows));
        });
    }

    /// <summary>The text a PDF shows: every string operand of its text operators (Tj, TJ, ', "), page by page.</summary>
    public static List<string> TextOf(byte[] pdf)
    {
        using var document = PdfReader.Open(new MemoryStream(pdf), PdfDocumentOpenMode.Import);
        var text = new List<string>();
        foreach (var page in document.Pages)
        {
            Collect(ContentReader.ReadContent(page), text);
        }

        return text;
    }

    private static void Collect(CObject item, List<string> text)
    {
        switch (item)
        {
            case COperator { OpCode.Name: "Tj" or "TJ" or "'" or "\"" } op:
                text.Add(string.Concat(Strings(op.Operands)));
                break;
            case CSequence sequence:
                foreach (var child in sequence)
                {
                    Collect(child, text);
                }

                break;
        }
    }

    private static IEnumerable<string> Strings(CSequence operands) => operands.SelectMany(o => o switch
    {
        CString s => [s.Value],
        CArray a => Strings(a),
        _ => [],
    });
}
