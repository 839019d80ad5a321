using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Situk.Api.Registrations;
using Situk.Tests.Certificates;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Support;

namespace Situk.Tests.Hostile;

[Category("Hostile")]
[Description("Every text field of every POST/PUT body (found from the OpenAPI document) gets every odd string in turn, in an otherwise "
    + "valid request: the answer is a success that stores the text as sent, or 400 problem+json naming that field with nothing stored. Never a 500.")]
public sealed class OddTextTests
{
    private ApiFixture _api = null!;
    private Scenario _scenario = null!;
    private TestUser _asesor = null!;
    private long _scheme;
    private long _place;
    private long _schedule;
    private int _unique;

    [OneTimeSetUp]
    public async Task Start()
    {
        // No digests: an admin's digest written in the background between two fingerprints would look like a
        // refused request that stored something.
        _api = await ApiFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Situk:Digests:Kinds:registration.submitted"] = "",
            ["Situk:Digests:Kinds:apl02.submitted"] = "",
        });
        _scenario = new Scenario(_api);
        _asesor = await _api.CreateUserAsync(Roles.Asesor);
        _scheme = (await _scenario.CreateSchemeAsync()).Id;
        _place = await _scenario.CreatePlaceAsync();
        _schedule = await _scenario.CreateScheduleAsync(_scheme, quota: 100_000);
    }

    [OneTimeTearDown]
    public async Task Stop() => await _api.DisposeAsync();

    /// <summary>A target for attempts: who calls which path, and how to make a fresh valid body for it (unique emails and codes).</summary>
    private sealed record Target(HttpClient Client, string Path, Func<JsonNode> Body);

    /// <summary>
    /// Per route: how to make a target, and whether a success uses it up (a registration step moves its status on,
    /// so the next attempt needs a fresh registration).
    /// </summary>
    private Dictionary<string, (Func<Task<Target>> Make, bool UsedUp)> Routes() => new()
    {
        ["POST /api/v1/accounts"] = (() => Task.FromResult(new Target(_api.CreateClient(), "api/v1/accounts", Account)), false),
        ["POST /api/v1/accounts/verify"] = (() => Task.FromResult(new Target(_api.CreateClient(), "api/v1/accounts/verify",
            () => Node(new { token = "a-token-nobody-was-sent" }))), false),
        ["POST /api/v1/asesors"] = (() => Task.FromResult(new Target(_api.Admin.Client, "api/v1/asesors", Account)), false),
        ["POST /api/v1/admins"] = (() => Task.FromResult(new Target(_api.Admin.Client, "api/v1/admins", Account)), false),
        ["POST /api/v1/accounts/password-reset"] = (() => Task.FromResult(new Target(_api.CreateClient(), "api/v1/accounts/password-reset",
            () => Node(new { email = _asesor.Email }))), false),
        ["POST /api/v1/accounts/password-reset/confirm"] = (() => Task.FromResult(new Target(_api.CreateClient(), "api/v1/accounts/password-reset/confirm",
            () => Node(new { token = "a-token-nobody-was-sent", newPassword = "new-password-1" }))), false),
        ["POST /api/v1/me/password"] = (async () =>
        {
            // A success changes the password, so the next attempt needs a user whose current password is still this one.
            var user = await _api.CreateUserAsync(Roles.Asesor);
            return new Target(user.Client, "api/v1/me/password", () => Node(new { currentPassword = user.Password, newPassword = "new-password-1" }));
        }, true),
        ["PATCH /api/v1/me"] = (async () =>
        {
            var user = await _api.CreateUserAsync(Roles.Asesi);
            return new Target(user.Client, "api/v1/me", () => Node(new { language = "en", timeZone = "Asia/Makassar" }));
        }, false),
        ["POST /api/v1/users/{id}/deactivation"] = (async () =>
        {
            // A deactivation keeps its first reason, so the next attempt needs a user who is still active.
            var user = await _api.CreateUserAsync(Roles.Asesor);
            return new Target(_api.Admin.Client, $"api/v1/users/{user.Id}/deactivation", () => Node(new { reason = "Akun ganda" }));
        }, true),
        ["POST /api/v1/auth/token"] = (() => Task.FromResult(new Target(_api.CreateClient(), "api/v1/auth/token",
            () => Node(new { email = ApiFixture.AdminEmail, password = "not-the-password" }))), false),
        ["POST /api/v1/auth/refresh"] = (() => Task.FromResult(new Target(_api.CreateClient(), "api/v1/auth/refresh",
            () => Node(new { refreshToken = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }))), false),
        ["POST /api/v1/notifications"] = (() => Task.FromResult(new Target(_api.Admin.Client, "api/v1/notifications",
            () => Node(new { to = new { role = Roles.Asesor }, title = "Jadwal", body = "Ujian pukul 08.00", link = "/schedules" }))), false),
        ["POST /api/v1/places"] = (() => Task.FromResult(new Target(_api.Admin.Client, "api/v1/places", Place)), false),
        ["PUT /api/v1/places/{id}"] = (() => Task.FromResult(new Target(_api.Admin.Client, $"api/v1/places/{_place}", Place)), false),
        ["POST /api/v1/schemes"] = (() => Task.FromResult(new Target(_api.Admin.Client, "api/v1/schemes", Scheme)), false),
        ["PUT /api/v1/schemes/{id}"] = (async () => new Target(_api.Admin.Client, $"api/v1/schemes/{(await _scenario.CreateSchemeAsync()).Id}", Scheme), true),
        ["POST /api/v1/schedules"] = (() => Task.FromResult(new Target(_api.Admin.Client, "api/v1/schedules", () => Node(new
        {
            schemeId = _scheme, placeId = _place, opensAt = DateTimeOffset.UtcNow.AddHours(-1), closesAt = DateTimeOffset.UtcNow.AddDays(1), quota = 5,
        }))), false),
        ["PUT /api/v1/schedules/{id}"] = (async () => new Target(_api.Admin.Client, $"api/v1/schedules/{await _scenario.CreateScheduleAsync(_scheme)}", () => Node(new
        {
            schemeId = _scheme, placeId = _place, opensAt = DateTimeOffset.UtcNow.AddHours(-1), closesAt = DateTimeOffset.UtcNow.AddDays(1), quota = 5,
        })), false),
        ["POST /api/v1/registrations"] = (async () =>
        {
            var asesi = await _api.CreateUserAsync(Roles.Asesi);
            return new Target(asesi.Client, "api/v1/registrations", () => Node(new { scheduleId = _schedule, apl01 = Apl01() }));
        }, true),
        ["POST /api/v1/registrations/{id}/verification"] = (async () =>
        {
            var c = await CaseAsync(RegistrationStatus.Submitted);
            return new Target(_api.Admin.Client, $"{c.Path}/verification", () => Node(new { approved = false, note = "Foto KTP buram." }));
        }, true),
        ["PUT /api/v1/registrations/{id}/apl02"] = (async () =>
        {
            var c = await CaseAsync(RegistrationStatus.Assigned);
            return new Target(c.Asesi.Client, $"{c.Path}/apl02", () => Node(new
            {
                answers = c.CriterionIds.Select(id => new { criterionId = id, competent = true, evidence = "Portofolio" }).ToArray(),
            }));
        }, true),
        ["POST /api/v1/registrations/{id}/assessment"] = (async () =>
        {
            var c = await CaseAsync(RegistrationStatus.Eligible);
            return new Target(c.Asesor.Client, $"{c.Path}/assessment", () => Node(new { scheduledAt = DateTimeOffset.UtcNow.AddDays(3) }));
        }, true),
        ["PUT /api/v1/registrations/{id}/assessment"] = (async () =>
        {
            // Each body is a new time, so a move that succeeds leaves the target usable for the next.
            var c = await CaseAsync(RegistrationStatus.Scheduled);
            return new Target(c.Asesor.Client, $"{c.Path}/assessment",
                () => Node(new { scheduledAt = DateTimeOffset.UtcNow.AddDays(4).AddMinutes(Interlocked.Increment(ref _unique)) }));
        }, false),
        ["PUT /api/v1/registrations/{id}/records"] = (async () =>
        {
            var c = await CaseAsync(RegistrationStatus.Scheduled);
            return new Target(c.Asesor.Client, $"{c.Path}/records", () => Node(new
            {
                observation = c.CriterionIds.Select(id => new { criterionId = id, competent = true, note = "Diamati" }).ToArray(),
                portfolio = c.CriterionIds.Select(id => new { criterionId = id, competent = true, note = "Lengkap" }).ToArray(),
                notes = "Sesuai rencana",
            }));
        }, false),
        ["POST /api/v1/registrations/{id}/verdict"] = (async () =>
        {
            var c = await CaseAsync(RegistrationStatus.Scheduled);
            using var records = await c.Asesor.Client.PutAsJsonAsync($"{c.Path}/records", Scenario.Records(c));
            Assert.That(records.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            return new Target(c.Asesor.Client, $"{c.Path}/verdict", () => Node(new { competent = true, note = "Selamat" }));
        }, true),
        ["POST /api/v1/registrations/{id}/documents/{docId}/review"] = (async () =>
        {
            var c = await CaseAsync(RegistrationStatus.Submitted);
            using var form = new MultipartFormDataContent
            {
                { new StringContent("identity_card"), "kind" },
                { new StringContent("apl01"), "purpose" },
                { new ByteArrayContent([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46]), "file", "ktp.jpg" },
            };
            using var uploaded = await c.Asesi.Client.PostAsync($"{c.Path}/documents", form);
            Assert.That(uploaded.StatusCode, Is.EqualTo(HttpStatusCode.Created), await uploaded.Content.ReadAsStringAsync());
            var document = (await uploaded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
            return new Target(_api.Admin.Client, $"{c.Path}/documents/{document}/review", () => Node(new { accepted = false, note = "Foto KTP buram" }));
        }, false),
        ["POST /api/v1/certificates/{number}/revocation"] = (async () =>
        {
            var certified = await _scenario.CertifiedAsync();
            return new Target(_api.Admin.Client, $"{certified.Path}/revocation", () => Node(new { reason = "Bukti portofolio dipalsukan." }));
        }, true),
    };

    [Test]
    public async Task Every_text_field_of_every_body_takes_every_odd_string_with_a_success_or_a_400_naming_it()
    {
        var document = await _api.CreateClient().GetFromJsonAsync<JsonElement>("openapi/v1.json");
        var fields = RequestSchemas.TextFields(document).Where(r => r.Value.Count > 0).ToList();
        TestContext.Out.WriteLine(string.Join("\n", fields.Select(f => f.Key + ": " + string.Join(", ", f.Value))));
        var routes = Routes();
        Assert.That(fields.Select(f => f.Key).Except(routes.Keys), Is.Empty, "a route with text fields needs a target here");

        var memory = MemoryBound.Measure();
        var answers = new List<string>();
        foreach (var (route, paths) in fields)
        {
            var (make, usedUp) = routes[route];
            Target? target = null;
            foreach (var field in paths)
            {
                foreach (var (name, value) in OddText.Values)
                {
                    target ??= await make();
                    Assert.That(OddText.Has(target.Body(), field), Is.True, $"{route}: the valid body lacks '{field}'");
                    var accepted = await AttemptAsync(route, target, field, name, value);
                    answers.Add($"{route} {field} <- {name}: {(accepted ? "stored" : "400")}");
                    if (accepted && usedUp)
                    {
                        target = null;
                    }
                }
            }
        }

        TestContext.Out.WriteLine(string.Join('\n', answers));
        MemoryBound.AssertGrowthBounded(memory, $"{answers.Count} odd-text requests");
        using var health = await _api.Admin.Client.GetAsync("api/v1/places");
        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a normal call still works");
    }

    /// <returns>True when the request succeeded (and stored the text as sent), false when it was refused with 400 naming the field.</returns>
    private async Task<bool> AttemptAsync(string route, Target target, string field, string name, string value)
    {
        var body = target.Body();
        var sent = field.EndsWith("email", StringComparison.Ordinal) && value.Length > 0 ? $"{value}{Interlocked.Increment(ref _unique)}@situk.test"
            : field == "code" ? value + Interlocked.Increment(ref _unique)
            : value;
        OddText.Set(body, field, sent);
        var before = await DatabaseFingerprint.TakeAsync(_api);
        var method = new HttpMethod(route[..route.IndexOf(' ', StringComparison.Ordinal)]);
        using var response = await target.Client.SendAsync(new HttpRequestMessage(method, target.Path)
        {
            Content = new StringContent(OddText.ToJson(body), Encoding.UTF8, "application/json"),
        });
        var text = await response.Content.ReadAsStringAsync();
        var what = $"{route} with {field} = {name}";
        Assert.That((int)response.StatusCode, Is.LessThan(500), $"{what}: {text}");
        if (response.IsSuccessStatusCode)
        {
            // Where the answer echoes the field, it is exactly what was sent (emails are compared without case).
            if (text.Length > 0 && OddText.Get(JsonDocument.Parse(text).RootElement, field) is { } echoed)
            {
                Assert.That(echoed, field.EndsWith("email", StringComparison.Ordinal) ? Is.EqualTo(sent).IgnoreCase : Is.EqualTo(sent), what);
            }

            return true;
        }

        if (route is "POST /api/v1/auth/token" or "POST /api/v1/auth/refresh" && response.StatusCode == HttpStatusCode.Unauthorized)
        {
            await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized); // well-formed, wrong credentials
        }
        else if (route == "POST /api/v1/accounts/verify" && response.StatusCode == HttpStatusCode.UnprocessableEntity)
        {
            await ProblemAssert.NamesFieldAsync(response, HttpStatusCode.UnprocessableEntity, field); // well-formed, no such token
        }
        else if (route == "POST /api/v1/accounts/password-reset/confirm" && field == "newPassword" && response.StatusCode == HttpStatusCode.BadRequest
            && text.Contains("Unknown reset link", StringComparison.Ordinal))
        {
            await ProblemAssert.NamesFieldAsync(response, HttpStatusCode.BadRequest, "token"); // a well-formed password, no such token
        }
        else if (route == "POST /api/v1/me/password" && field == "currentPassword" && response.StatusCode == HttpStatusCode.Forbidden)
        {
            await ProblemAssert.NamesFieldAsync(response, HttpStatusCode.Forbidden, field); // well-formed, not the password
        }
        else
        {
            var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
            var named = problem.TryGetProperty("errors", out var errors) ? errors.EnumerateObject().Select(e => e.Name).ToList() : [];
            Assert.That(named, Has.Member(field), $"{what}: {text}");
        }

        await DatabaseFingerprint.AssertUnchangedAsync(_api, before, what);
        return false;
    }

    private Task<Case> CaseAsync(string status) => _scenario.CaseAtAsync(status, asesor: _asesor);

    private JsonNode Account() => Node(new
    {
        fullName = "Putu Asesi", email = $"odd{Interlocked.Increment(ref _unique)}@situk.test", password = "password-123", phone = "+62 812 0000",
        language = "id", timeZone = "Asia/Makassar",
    });

    private static JsonNode Place() => Node(new { name = "TUK Lab Informatika", address = "Gedung Giri Santika, Surabaya" });

    private JsonNode Scheme() => Node(new
    {
        code = $"ODD-{Interlocked.Increment(ref _unique)}",
        name = "Junior Web Developer",
        units = new[] { new { code = "J.620100.004.02", title = "Struktur data", elements = new[] { new { title = "Konsep data", criteria = new[] { new { text = "Konsep data diidentifikasi" } } } } } },
    });

    private static object Apl01() => new
    {
        fullName = "Ni Luh Putu",
        identityNumber = "3578012345678901",
        birthDate = "2001-04-17",
        address = "Jl. Raya Rungkut Madya, Surabaya",
        education = "S1 Informatika",
        birthPlace = "Surabaya",
        phone = "+62 812 0000",
        institution = "UPN Veteran Jawa Timur",
        occupation = "Mahasiswa",
        purpose = "Sertifikasi",
        evidence = new[] { new { name = "KTM", reference = "https://files.example/ktm.pdf" } },
    };

    private static JsonNode Node(object value) => JsonSerializer.SerializeToNode(value, JsonSerializerOptions.Web)!;
}
