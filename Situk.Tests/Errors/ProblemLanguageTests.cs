using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Situk.Api.Registrations;
using Situk.Contracts;
using Situk.Tests.Api;

namespace Situk.Tests.Errors;

[Description("Problem answers are written in the request's Accept-Language (id or en, q-values honoured), else in "
    + "Situk:DefaultLanguage (id), with Content-Language and a code that is the same in every language.")]
public sealed class ProblemLanguageTests : ApiTests
{
    [Test]
    public async Task A_wrong_password_is_told_in_the_readers_language()
    {
        var asesi = await Api.CreateUserAsync(Roles.Asesi);
        var (id, en) = await BothAsync(HttpStatusCode.Unauthorized, () => Post("api/v1/auth/token", new { email = asesi.Email, password = "wrong-password" }), Api.CreateClient());

        Assert.Multiple(() =>
        {
            Assert.That(id.Detail, Is.EqualTo("Email atau kata sandi salah."));
            Assert.That(en.Detail, Is.EqualTo("The email or password is wrong."));
            Assert.That(id.Code, Is.EqualTo("auth.wrong_password"));
        });
    }

    [Test]
    public async Task A_step_in_the_wrong_state_is_told_in_the_readers_language()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Submitted);

        var (id, en) = await BothAsync(HttpStatusCode.Conflict, () => Post($"{c.Path}/assignment", new { asesorId = c.Asesor.Id }), Api.Admin.Client);

        Assert.Multiple(() =>
        {
            Assert.That(id.Detail, Is.EqualTo($"Pendaftaran {c.RegistrationId} berstatus 'submitted'; langkah ini memerlukan status 'verified'."));
            Assert.That(en.Detail, Is.EqualTo($"Registration {c.RegistrationId} is 'submitted'; this step needs 'verified'."));
            Assert.That(id.Code, Is.EqualTo("registration.wrong_state"));
            Assert.That(id.Title, Is.EqualTo("Konflik"));
            Assert.That(en.Title, Is.EqualTo("Conflict"));
            Assert.That(id.Body.GetProperty("currentStatus").GetString(), Is.EqualTo(RegistrationStatus.Submitted), "extensions stay beside the words");
        });
    }

    [Test]
    [Description("The validation attributes' own messages, matched and written again; the field name stays the JSON path.")]
    public async Task A_validation_failure_names_its_field_in_the_readers_language()
    {
        var (id, en) = await BothAsync(HttpStatusCode.BadRequest, () => Post("api/v1/places", new { name = "", address = "Jl. Raya 1" }), Api.Admin.Client);

        Assert.Multiple(() =>
        {
            Assert.That(Errors(id)["name"], Is.EqualTo(new[] { "Isian name wajib diisi." }));
            Assert.That(Errors(en)["name"], Is.EqualTo(new[] { "The name field is required." }));
            Assert.That(id.Title, Is.EqualTo("Satu atau lebih isian tidak valid."));
            Assert.That(id.Code, Is.EqualTo("validation.failed"));
        });
    }

    [Test]
    [Description("A check a handler makes (not an attribute) names its field too, with the same words in errors and detail.")]
    public async Task A_handler_check_names_its_field_in_the_readers_language()
    {
        var (id, en) = await BothAsync(HttpStatusCode.BadRequest, () => new HttpRequestMessage(HttpMethod.Get, "api/v1/registrations?limit=0"), Api.Admin.Client);

        Assert.Multiple(() =>
        {
            Assert.That(Errors(id)["limit"], Is.EqualTo(new[] { "limit harus antara 1 dan 200." }));
            Assert.That(Errors(en)["limit"], Is.EqualTo(new[] { "limit must be between 1 and 200." }));
            Assert.That(id.Detail, Is.EqualTo("limit harus antara 1 dan 200."));
            Assert.That(id.Code, Is.EqualTo("list.limit"));
        });
    }

    [Test]
    public async Task Not_found_is_told_in_the_readers_language()
    {
        var (id, en) = await BothAsync(HttpStatusCode.NotFound, () => new HttpRequestMessage(HttpMethod.Get, "api/v1/registrations/987654321"), Api.Admin.Client);

        Assert.Multiple(() =>
        {
            Assert.That(id.Detail, Is.EqualTo("Pendaftaran 987654321 tidak ditemukan."));
            Assert.That(en.Detail, Is.EqualTo("Registration 987654321 was not found."));
            Assert.That(id.Title, Is.EqualTo("Tidak ditemukan"));
            Assert.That(id.Code, Is.EqualTo("registration.not_found"));
        });
    }

    [Test]
    public async Task A_business_rule_refusal_is_told_in_the_readers_language()
    {
        var scheme = await Scenario.CreateSchemeAsync();
        var schedule = await Scenario.CreateScheduleAsync(scheme.Id, quota: 1);
        Assert.That((await Scenario.RegisterAsync(await Api.CreateUserAsync(Roles.Asesi), schedule)).StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var second = await Api.CreateUserAsync(Roles.Asesi);

        var (id, en) = await BothAsync(HttpStatusCode.UnprocessableEntity, () => Post("api/v1/registrations", new { scheduleId = schedule, apl01 = Scenario.Apl01() }), second.Client);

        Assert.Multiple(() =>
        {
            Assert.That(id.Detail, Is.EqualTo($"Jadwal {schedule} sudah penuh (1 kursi)."));
            Assert.That(en.Detail, Is.EqualTo($"Schedule {schedule} is full (1 seats)."));
            Assert.That(id.Title, Is.EqualTo("Permintaan tidak dapat diproses"));
            Assert.That(id.Code, Is.EqualTo("schedule.full"));
        });
    }

    [Test]
    [Description("The auth middleware's bare 401 becomes a problem in the reader's language, like a handler's.")]
    public async Task A_request_without_a_token_is_told_in_the_readers_language()
    {
        var (id, en) = await BothAsync(HttpStatusCode.Unauthorized, () => new HttpRequestMessage(HttpMethod.Get, "api/v1/me/notifications"), Api.CreateClient());

        Assert.Multiple(() =>
        {
            Assert.That(id.Title, Is.EqualTo("Perlu masuk"));
            Assert.That(en.Title, Is.EqualTo("Unauthorized"));
            Assert.That(id.Detail, Does.StartWith("Silakan masuk"));
            Assert.That(id.Code, Is.EqualTo("auth.required"));
        });
    }

    [Test]
    public async Task Without_Accept_Language_the_default_language_answers()
    {
        using var bare = new HttpClient { BaseAddress = Api.BaseAddress };

        var response = await bare.GetAsync("api/v1/me/notifications");

        var problem = await Read(response, HttpStatusCode.Unauthorized);
        Assert.Multiple(() =>
        {
            Assert.That(problem.Language, Is.EqualTo("id"), "Situk:DefaultLanguage defaults to id");
            Assert.That(problem.Title, Is.EqualTo("Perlu masuk"));
        });
    }

    [TestCase("id-ID", "id")]
    [TestCase("in", "id")]
    [TestCase("en-US,en;q=0.9", "en")]
    [TestCase("fr-FR, en;q=0.8, id;q=0.5", "en", TestName = "The first supported language by q-value")]
    [TestCase("en;q=0.2, id;q=0.7", "id", TestName = "A higher q-value wins over the order")]
    [TestCase("en;q=0, id;q=0.1", "id", TestName = "q=0 refuses a language")]
    [TestCase("fr, de", "id", TestName = "No supported language: the default")]
    [TestCase("*", "id", TestName = "Any language: the default")]
    [TestCase("not a ;; language", "id", TestName = "A malformed header: the default")]
    public async Task Accept_Language_chooses_the_language(string header, string expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/registrations/987654321");
        request.Headers.TryAddWithoutValidation("Accept-Language", header);

        var problem = await Read(await Api.Admin.Client.SendAsync(request), HttpStatusCode.NotFound);

        Assert.That(problem.Language, Is.EqualTo(expected), problem.Body.ToString());
    }

    private static HttpRequestMessage Post(string path, object body) => new(HttpMethod.Post, path) { Content = JsonContent.Create(body) };

    private static Dictionary<string, string[]> Errors(Problem problem) =>
        problem.Body.GetProperty("errors").Deserialize<Dictionary<string, string[]>>()!;

    /// <summary>The same request in Indonesian and in English: the same status and code, each with its Content-Language.</summary>
    private static async Task<(Problem Id, Problem En)> BothAsync(HttpStatusCode status, Func<HttpRequestMessage> request, HttpClient client)
    {
        var answers = new List<Problem>();
        foreach (var language in new[] { "id", "en" })
        {
            using var message = request();
            message.Headers.AcceptLanguage.Clear();
            message.Headers.AcceptLanguage.ParseAdd(language);
            var problem = await Read(await client.SendAsync(message), status);
            Assert.That(problem.Language, Is.EqualTo(language), problem.Body.ToString());
            answers.Add(problem);
        }

        Assert.That(answers[1].Code, Is.EqualTo(answers[0].Code).And.Not.Null, "the code does not depend on the language");
        return (answers[0], answers[1]);
    }

    private static async Task<Problem> Read(HttpResponseMessage response, HttpStatusCode status)
    {
        using (response)
        {
            var body = await ProblemAssert.IsProblemAsync(response, status);
            return new Problem(
                body,
                response.Content.Headers.ContentLanguage.SingleOrDefault(),
                body.TryGetProperty("code", out var code) ? code.GetString() : null,
                body.GetProperty("title").GetString(),
                body.TryGetProperty("detail", out var detail) ? detail.GetString() : null);
        }
    }

    private sealed record Problem(JsonElement Body, string? Language, string? Code, string? Title, string? Detail);
}
