using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Support;

namespace Situk.Tests.Hostile;

[Category("Hostile")]
[Description("Ids that cannot name anything — negative, zero, past int64, not a number — in every route with an id, called by a role "
    + "the route allows with a valid body: 404 problem+json, and nothing stored.")]
public sealed class RouteIdTests
{
    /// <summary>A valid body for each route with an id that takes one, so only the id can be at fault.</summary>
    private static readonly Dictionary<string, object> Bodies = new()
    {
        ["PUT /api/v1/places/{id}"] = new { name = "TUK Lab", address = "Surabaya" },
        ["PUT /api/v1/schemes/{id}"] = new
        {
            code = "ID-TEST", name = "Scheme",
            units = new[] { new { code = "U1", title = "Unit", elements = new[] { new { title = "E", criteria = new[] { new { text = "C" } } } } } },
        },
        ["PUT /api/v1/schedules/{id}"] = new { schemeId = 1, placeId = 1, opensAt = DateTimeOffset.UtcNow, closesAt = DateTimeOffset.UtcNow.AddDays(1), quota = 5 },
        ["POST /api/v1/registrations/{id}/verification"] = new { approved = true },
        ["POST /api/v1/registrations/{id}/withdrawal"] = new { },
        ["POST /api/v1/registrations/{id}/assignment"] = new { asesorId = 1 },
        ["PUT /api/v1/registrations/{id}/apl02"] = new { answers = new[] { new { criterionId = 1, competent = true } } },
        ["POST /api/v1/registrations/{id}/apl02/review"] = new { },
        ["POST /api/v1/registrations/{id}/assessment"] = new { scheduledAt = DateTimeOffset.UtcNow.AddDays(3) },
        ["PUT /api/v1/registrations/{id}/assessment"] = new { scheduledAt = DateTimeOffset.UtcNow.AddDays(4) },
        ["PUT /api/v1/registrations/{id}/records"] = new
        {
            observation = new[] { new { criterionId = 1, competent = true } },
            portfolio = new[] { new { criterionId = 1, competent = true } },
        },
        ["POST /api/v1/registrations/{id}/verdict"] = new { competent = true },
        ["POST /api/v1/me/notifications/{id}/read"] = new { },
        ["POST /api/v1/schedules/{id}/close"] = new { },

        // The upload routes take multipart/form-data; the id is checked before the body is read, so any body will do.
        ["POST /api/v1/registrations/{id}/documents"] = new { },
        ["PUT /api/v1/registrations/{id}/documents/{docId}"] = new { },
        ["POST /api/v1/registrations/{id}/documents/{docId}/review"] = new { accepted = true },
        ["POST /api/v1/certificates/{number}/revocation"] = new { reason = "Bukti portofolio dipalsukan." },
        ["POST /api/v1/users/{id}/deactivation"] = new { reason = "Akun ganda" },
    };

    private static readonly string[] BadIds = ["-1", "0", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "abc", "1.5", "1e3", "%20", "1%2F2"];

    private SystemFixture _system = null!;
    private Dictionary<string, HttpClient> _callers = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _system = await SystemFixture.StartAsync();
        _callers = new()
        {
            [Roles.Admin] = _system.Api.Admin.Client,
            [Roles.Asesor] = (await _system.Api.CreateUserAsync(Roles.Asesor)).Client,
            [Roles.Asesi] = (await _system.Api.CreateUserAsync(Roles.Asesi)).Client,
        };
        // Something real to not find: a scheme, a schedule, a registration well along.
        await new Scenario(_system.Api).CaseAtAsync(Situk.Api.Registrations.RegistrationStatus.Scheduled);
    }

    [OneTimeTearDown]
    public async Task Stop() => await _system.DisposeAsync();

    [Test]
    public async Task Every_route_with_an_id_answers_404_problem_for_ids_that_name_nothing()
    {
        var routes = (await RouteAccessTests.DocumentedRoutesAsync(_system.Api)).Where(r => r.Contains('{', StringComparison.Ordinal)).ToList();
        Assert.That(routes, Has.Count.GreaterThan(10), "the document lists the id routes");
        var before = await DatabaseFingerprint.TakeAsync(_system.Api);

        foreach (var route in routes)
        {
            var method = new HttpMethod(route[..route.IndexOf(' ', StringComparison.Ordinal)]);
            var needsBody = method == HttpMethod.Post || method == HttpMethod.Put;
            Assert.That(!needsBody || Bodies.ContainsKey(route), Is.True, $"{route}: add a valid body to the table");
            var client = CallerFor(route);
            foreach (var id in BadIds)
            {
                var path = route[(route.IndexOf(' ', StringComparison.Ordinal) + 2)..];
                path = path.Replace("{id}", id, StringComparison.Ordinal).Replace("{docId}", id, StringComparison.Ordinal)
                    .Replace("{sessionId}", id, StringComparison.Ordinal).Replace("{number}", id, StringComparison.Ordinal);
                using var request = new HttpRequestMessage(method, path);
                if (needsBody)
                {
                    request.Content = new StringContent(JsonSerializer.Serialize(Bodies[route], JsonSerializerOptions.Web), Encoding.UTF8, "application/json");
                }

                using var response = await client.SendAsync(request);
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), $"{route} with id {id}: {await response.Content.ReadAsStringAsync()}");
                await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound);
            }
        }

        await DatabaseFingerprint.AssertUnchangedAsync(_system.Api, before, "no id named anything");
    }

    [Test]
    [Description("Ids inside bodies that name nothing or someone else's thing: 400 (out of range) or 422 (no such one), never a 5xx, nothing stored.")]
    public async Task Ids_in_bodies_that_name_nothing_are_400_or_422_and_store_nothing()
    {
        var api = _system.Api;
        var c = await new Scenario(api).CaseAtAsync(Situk.Api.Registrations.RegistrationStatus.Verified);
        var scheduled = await new Scenario(api).CaseAtAsync(Situk.Api.Registrations.RegistrationStatus.Scheduled);
        var before = await DatabaseFingerprint.TakeAsync(api);
        var answers = new List<string>();
        foreach (var id in new[] { -1L, 0L, long.MaxValue })
        {
            var calls = new (string What, HttpClient Client, HttpMethod Method, string Path, object Body)[]
            {
                ("schedules.schemeId", api.Admin.Client, HttpMethod.Post, "api/v1/schedules", new { schemeId = id, placeId = 1, opensAt = DateTimeOffset.UtcNow, closesAt = DateTimeOffset.UtcNow.AddDays(1), quota = 5 }),
                ("registrations.scheduleId", c.Asesi.Client, HttpMethod.Post, "api/v1/registrations", new { scheduleId = id, apl01 = Scenario.Apl01() }),
                ("assignment.asesorId", api.Admin.Client, HttpMethod.Post, $"{c.Path}/assignment", new { asesorId = id }),
                ("records.criterionId", scheduled.Asesor.Client, HttpMethod.Put, $"{scheduled.Path}/records", new
                {
                    observation = new[] { new { criterionId = id, competent = true } },
                    portfolio = new[] { new { criterionId = id, competent = true } },
                }),
                ("notifications.userIds", api.Admin.Client, HttpMethod.Post, "api/v1/notifications", new { to = new { userIds = new[] { id } }, title = "t", body = "b" }),
            };
            foreach (var (what, client, method, path, body) in calls)
            {
                using var request = new HttpRequestMessage(method, path)
                {
                    Content = new StringContent(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), Encoding.UTF8, "application/json"),
                };
                using var response = await client.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                Assert.That(response.StatusCode, Is.AnyOf(HttpStatusCode.BadRequest, HttpStatusCode.UnprocessableEntity), $"{what} = {id}: {text}");
                await ProblemAssert.IsProblemAsync(response, response.StatusCode);
                answers.Add($"{what} = {id}: {(int)response.StatusCode}");
            }
        }

        // Someone else's asesi as the asesor, someone else's criteria in an APL-02.
        using (var notAnAsesor = await api.Admin.Client.PostAsJsonAsync($"{c.Path}/assignment", new { asesorId = scheduled.Asesi.Id }))
        {
            await ProblemAssert.NamesFieldAsync(notAnAsesor, HttpStatusCode.UnprocessableEntity, "asesorId");
        }

        TestContext.Out.WriteLine(string.Join('\n', answers));
        await DatabaseFingerprint.AssertUnchangedAsync(api, before, "no body id named anything usable");
    }

    [Test]
    [Description("An encoded NUL in the path never reaches the app: Kestrel refuses the request line with a bare 400.")]
    public async Task An_encoded_nul_in_an_id_is_refused_by_the_server_with_400()
    {
        var before = await DatabaseFingerprint.TakeAsync(_system.Api);
        using var response = await _system.Api.Admin.Client.DeleteAsync("api/v1/places/1%00");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        await DatabaseFingerprint.AssertUnchangedAsync(_system.Api, before, "the request was refused");
    }

    /// <summary>The first role the route's access entry allows (admin first), so the role gate is passed.</summary>
    private HttpClient CallerFor(string route)
    {
        string[] preference = [Roles.Admin, Roles.Asesor, Roles.Asesi];
        var allowed = RouteAccessTests.AllowedRoles(route);
        return _callers[preference.First(allowed.Contains)];
    }
}
