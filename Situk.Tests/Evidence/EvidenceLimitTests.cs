using System.Net;
using System.Net.Http.Json;
using Situk.Api.Evidence;
using Situk.Api.Registrations;
using Situk.Tests.Api;
using Situk.Tests.Support;
using static Situk.Tests.Evidence.EvidenceFiles;

namespace Situk.Tests.Evidence;

[Description("The per-registration bounds, with small limits configured (Situk:Evidence:*): past the total or the count is 413 naming file, nothing stored.")]
public sealed class EvidenceLimitTests
{
    private const int MaxFile = 4096;
    private const int MaxTotal = 10_000;
    private const int MaxFiles = 4;

    private ApiFixture _api = null!;
    private Scenario _scenario = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _api = await ApiFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Situk:Evidence:MaxFileBytes"] = MaxFile.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Situk:Evidence:MaxRegistrationBytes"] = MaxTotal.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Situk:Evidence:MaxFilesPerRegistration"] = MaxFiles.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        _scenario = new Scenario(_api);
    }

    [OneTimeTearDown]
    public async Task Stop() => await _api.DisposeAsync();

    [Test]
    public async Task Past_the_registration_total_is_413_naming_file_and_stores_nothing()
    {
        var c = await _scenario.CaseAtAsync(RegistrationStatus.Submitted);
        await StoreAsync(c, Jpeg(4000, seed: 1));
        await StoreAsync(c, Jpeg(4000, seed: 2));
        var before = await FingerprintAsync(_api);

        using var over = await UploadAsync(c.Asesi.Client, c, Form(Jpeg(2001, seed: 3)));
        var problem = await ProblemAssert.NamesFieldAsync(over, HttpStatusCode.RequestEntityTooLarge, "file");
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("10,000"));
        Assert.That(await FingerprintAsync(_api), Is.EqualTo(before));

        // Exactly up to the total still fits.
        await StoreAsync(c, Jpeg(2000, seed: 4));
        var list = (await c.Asesi.Client.GetFromJsonAsync<DocumentListDto>($"{c.Path}/documents"))!;
        Assert.That((list.TotalBytes, list.MaxRegistrationBytes, list.MaxFileBytes), Is.EqualTo((10_000L, 10_000L, 4096L)));
    }

    [Test]
    public async Task Past_the_file_count_is_413_naming_file_and_stores_nothing()
    {
        var c = await _scenario.CaseAtAsync(RegistrationStatus.Submitted);
        for (var i = 0; i < MaxFiles; i++)
        {
            await StoreAsync(c, Jpeg(100, seed: i));
        }

        var before = await FingerprintAsync(_api);
        using var over = await UploadAsync(c.Asesi.Client, c, Form(Jpeg(100, seed: 99)));
        await ProblemAssert.NamesFieldAsync(over, HttpStatusCode.RequestEntityTooLarge, "file");
        Assert.That(await FingerprintAsync(_api), Is.EqualTo(before));
    }

    [Test]
    [Description("Uploads to one registration are serialised on its row lock, so two at once cannot both pass the total.")]
    public async Task Two_uploads_at_once_cannot_together_pass_the_registration_total()
    {
        var c = await _scenario.CaseAtAsync(RegistrationStatus.Submitted);
        await StoreAsync(c, Jpeg(4000, seed: 1));

        var answers = await Task.WhenAll(
            UploadAsync(c.Asesi.Client, c, Form(Jpeg(4000, seed: 2))),
            UploadAsync(c.Asesi.Client, c, Form(Jpeg(4000, seed: 3))));
        Assert.That(answers.Select(a => a.StatusCode), Is.EquivalentTo(new[] { HttpStatusCode.Created, HttpStatusCode.RequestEntityTooLarge }));
        Assert.That(await _api.ScalarAsync<long>("SELECT sum(size_bytes) FROM evidence_files WHERE registration_id = @r", ("r", c.RegistrationId)), Is.EqualTo(8000));
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    [Test]
    [Description("A replacement is counted instead of the file it replaces, so a full registration can still swap a rejected scan.")]
    public async Task A_replacement_counts_in_place_of_the_file_it_replaces()
    {
        var c = await _scenario.CaseAtAsync(RegistrationStatus.Submitted);
        var first = await StoreAsync(c, Jpeg(4000, seed: 1));
        await StoreAsync(c, Jpeg(4000, seed: 2));

        using (var tooBig = await c.Asesi.Client.PutAsync($"{c.Path}/documents/{first.Id}", FileOnly(Jpeg(MaxFile + 1, seed: 5))))
        {
            await ProblemAssert.NamesFieldAsync(tooBig, HttpStatusCode.RequestEntityTooLarge, "file");
        }

        using var replaced = await c.Asesi.Client.PutAsync($"{c.Path}/documents/{first.Id}", FileOnly(Jpeg(MaxFile, seed: 6)));
        Assert.That(replaced.StatusCode, Is.EqualTo(HttpStatusCode.OK), await replaced.Content.ReadAsStringAsync());
        Assert.That((await replaced.Content.ReadFromJsonAsync<DocumentDto>())!.Size, Is.EqualTo(MaxFile));
    }

    [Test]
    [Description("Kestrel's limit for the route is the file limit plus a 256 KiB envelope, not the 30 MB of JSON routes.")]
    public async Task A_body_past_the_file_limit_and_its_envelope_is_413_and_stores_nothing()
    {
        var c = await _scenario.CaseAtAsync(RegistrationStatus.Submitted);
        var before = await FingerprintAsync(_api);
        HttpResponseMessage? response = null;
        try
        {
            response = await UploadAsync(c.Asesi.Client, c, Form(Jpeg(2 * 1024 * 1024)));
        }
        catch (HttpRequestException)
        {
            // The server may answer and close while the client is still sending; then the answer cannot be read.
        }

        if (response is not null)
        {
            await ProblemAssert.NamesFieldAsync(response, HttpStatusCode.RequestEntityTooLarge, "body");
            response.Dispose();
        }

        Assert.That(await FingerprintAsync(_api), Is.EqualTo(before));
    }

    private static async Task<DocumentDto> StoreAsync(Case c, byte[] bytes)
    {
        using var response = await UploadAsync(c.Asesi.Client, c, Form(bytes));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<DocumentDto>())!;
    }
}
