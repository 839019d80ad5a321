using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Situk.Api.Evidence;
using Situk.Api.Registrations;
using Situk.Tests.Api;
using static Situk.Tests.Evidence.EvidenceFiles;

namespace Situk.Tests.Evidence;

[Description("Uploads and downloads stream: moving a 5 MiB file through the API allocates far less than the file "
    + "(a handler holding it whole would allocate at least its size), measured over the whole test process, client and server both.")]
public sealed class EvidenceStreamingTests : ApiTests
{
    private const int FiveMiB = 5 * 1024 * 1024;

    [Test]
    public async Task Uploading_and_downloading_a_5_MiB_file_allocates_far_less_than_the_file()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Submitted);
        var bytes = Pdf(FiveMiB);
        var expected = Convert.ToHexStringLower(SHA256.HashData(bytes));

        // Once first, so JIT, pools and connections are warm; then measured.
        var first = await UploadAsync(c, bytes);
        await DownloadHashAsync(c, first);
        var forms = new[] { Form(bytes, "ijazah.pdf", "application/pdf", kind: "diploma") };

        var beforeUpload = GC.GetTotalAllocatedBytes(precise: true);
        using var uploaded = await c.Asesi.Client.PostAsync($"{c.Path}/documents", forms[0]);
        var uploadAllocated = GC.GetTotalAllocatedBytes(precise: true) - beforeUpload;
        Assert.That(uploaded.StatusCode, Is.EqualTo(HttpStatusCode.Created), await uploaded.Content.ReadAsStringAsync());
        var second = (await uploaded.Content.ReadFromJsonAsync<DocumentDto>())!;

        var beforeDownload = GC.GetTotalAllocatedBytes(precise: true);
        var hash = await DownloadHashAsync(c, second);
        var downloadAllocated = GC.GetTotalAllocatedBytes(precise: true) - beforeDownload;

        TestContext.Out.WriteLine($"upload allocated {uploadAllocated:N0} bytes, download {downloadAllocated:N0} bytes, for a file of {FiveMiB:N0}");
        Assert.Multiple(() =>
        {
            Assert.That(hash, Is.EqualTo(expected));
            Assert.That(uploadAllocated, Is.LessThan(FiveMiB / 2), "the upload is spooled and streamed, not buffered whole");
            Assert.That(downloadAllocated, Is.LessThan(FiveMiB / 2), "the download is streamed from PostgreSQL, not buffered whole");
        });
    }

    private static async Task<DocumentDto> UploadAsync(Case c, byte[] bytes)
    {
        using var response = await EvidenceFiles.UploadAsync(c.Asesi.Client, c, Form(bytes, "ijazah.pdf", "application/pdf", kind: "diploma"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<DocumentDto>())!;
    }

    private static async Task<string> DownloadHashAsync(Case c, DocumentDto document)
    {
        using var response = await c.Asesi.Client.GetAsync($"{c.Path}/documents/{document.Id}/content", HttpCompletionOption.ResponseHeadersRead);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await using var body = await response.Content.ReadAsStreamAsync();
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(body));
    }
}
