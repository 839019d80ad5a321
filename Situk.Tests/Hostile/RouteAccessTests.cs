using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Support;

namespace Situk.Tests.Hostile;

[Category("Hostile")]
[Description("Every route of the OpenAPI document, called by every role: those the table does not allow get 401 (anonymous) or 403 "
    + "problem+json, and nothing is stored. A route missing from the table fails the test, so a new route needs an access decision.")]
public sealed class RouteAccessTests
{
    private const string Anonymous = "anonymous";

    private static readonly string[] Anyone = [Anonymous, Roles.Asesi, Roles.Asesor, Roles.Admin];
    private static readonly string[] SignedIn = [Roles.Asesi, Roles.Asesor, Roles.Admin];
    private static readonly string[] AdminOnly = [Roles.Admin];

    /// <summary>Who passes each route's role gate (docs/API.md, "who"). Whose record it is comes after, as 404.</summary>
    private static readonly Dictionary<string, string[]> Access = new()
    {
        ["POST /api/v1/accounts"] = Anyone,
        ["POST /api/v1/accounts/verify"] = Anyone,
        ["POST /api/v1/auth/token"] = Anyone,
        ["POST /api/v1/auth/refresh"] = Anyone,
        ["POST /api/v1/auth/sign-out"] = SignedIn,
        ["POST /api/v1/asesors"] = AdminOnly,
        ["POST /api/v1/accounts/password-reset"] = Anyone,
        ["POST /api/v1/accounts/password-reset/confirm"] = Anyone,
        ["GET /api/v1/me"] = SignedIn,
        ["PATCH /api/v1/me"] = SignedIn,
        ["GET /api/v1/me/preferences"] = SignedIn,
        ["PUT /api/v1/me/preferences"] = SignedIn,
        ["POST /api/v1/me/password"] = SignedIn,
        ["POST /api/v1/admins"] = AdminOnly,
        ["GET /api/v1/users"] = AdminOnly,
        ["GET /api/v1/users/{id}"] = AdminOnly,
        ["POST /api/v1/users/{id}/deactivation"] = AdminOnly,
        ["DELETE /api/v1/users/{id}/deactivation"] = AdminOnly,
        ["GET /api/v1/places"] = SignedIn,
        ["POST /api/v1/places"] = AdminOnly,
        ["GET /api/v1/places/{id}"] = SignedIn,
        ["PUT /api/v1/places/{id}"] = AdminOnly,
        ["DELETE /api/v1/places/{id}"] = AdminOnly,
        ["GET /api/v1/schemes"] = SignedIn,
        ["POST /api/v1/schemes"] = AdminOnly,
        ["GET /api/v1/schemes/{id}"] = SignedIn,
        ["PUT /api/v1/schemes/{id}"] = AdminOnly,
        ["DELETE /api/v1/schemes/{id}"] = AdminOnly,
        ["GET /api/v1/schedules"] = SignedIn,
        ["POST /api/v1/schedules"] = AdminOnly,
        ["GET /api/v1/schedules/{id}"] = SignedIn,
        ["PUT /api/v1/schedules/{id}"] = AdminOnly,
        ["DELETE /api/v1/schedules/{id}"] = AdminOnly,
        ["POST /api/v1/schedules/{id}/close"] = AdminOnly,
        ["POST /api/v1/registrations"] = [Roles.Asesi],
        ["GET /api/v1/registrations"] = SignedIn,
        ["GET /api/v1/registrations/{id}"] = SignedIn,
        // Asesors too only with Situk:Registrations:AsesorsMayVerify (default false; AsesorVerificationTests).
        ["POST /api/v1/registrations/{id}/verification"] = AdminOnly,
        ["POST /api/v1/registrations/{id}/withdrawal"] = [Roles.Asesi],
        ["POST /api/v1/registrations/{id}/assignment"] = AdminOnly,
        ["PUT /api/v1/registrations/{id}/apl02"] = [Roles.Asesi],
        ["POST /api/v1/registrations/{id}/apl02/review"] = [Roles.Asesor],
        ["POST /api/v1/registrations/{id}/assessment"] = [Roles.Asesor],
        ["PUT /api/v1/registrations/{id}/assessment"] = [Roles.Asesor, Roles.Admin],
        ["PUT /api/v1/registrations/{id}/records"] = [Roles.Asesor],
        ["POST /api/v1/registrations/{id}/verdict"] = [Roles.Asesor],
        ["POST /api/v1/registrations/{id}/documents"] = [Roles.Asesi],
        ["GET /api/v1/registrations/{id}/documents"] = SignedIn,
        ["PUT /api/v1/registrations/{id}/documents/{docId}"] = [Roles.Asesi],
        ["GET /api/v1/registrations/{id}/documents/{docId}/content"] = SignedIn,
        ["POST /api/v1/registrations/{id}/documents/{docId}/review"] = [Roles.Admin],
        ["GET /api/v1/me/notifications"] = SignedIn,
        ["GET /api/v1/me/notifications/unread-count"] = SignedIn,
        ["GET /api/v1/me/notifications/{id}"] = SignedIn,
        ["GET /api/v1/notifications/{id}/timeline"] = SignedIn,
        ["POST /api/v1/me/notifications/{id}/read"] = SignedIn,
        ["POST /api/v1/me/notifications/read-all"] = SignedIn,
        ["GET /api/v1/me/assessments"] = [Roles.Asesor],
        ["POST /api/v1/notifications"] = AdminOnly,
        ["GET /api/v1/admin/delivery-stats"] = AdminOnly,
        ["GET /api/v1/admin/broker/sessions"] = AdminOnly,
        ["GET /api/v1/admin/broker/stats"] = AdminOnly,
        ["DELETE /api/v1/admin/broker/sessions/{sessionId}"] = AdminOnly,
        ["GET /api/v1/admin/delivery-series"] = AdminOnly,
        ["GET /api/v1/admin/notifications/recent"] = AdminOnly,
        ["GET /api/v1/certificates"] = AdminOnly,
        ["GET /api/v1/certificates/{number}"] = Anyone,
        ["GET /api/v1/certificates/{number}/pdf"] = [Roles.Asesi, Roles.Admin],
        ["POST /api/v1/certificates/{number}/revocation"] = AdminOnly,
        ["GET /api/v1/me/certificates"] = [Roles.Asesi],
    };

    private SystemFixture _system = null!;
    private ApiFixture _api = null!;
    private Dictionary<string, HttpClient> _callers = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        // With a broker, so the broker-backed admin routes answer for themselves rather than 503.
        _system = await SystemFixture.StartAsync();
        _api = _system.Api;
        _callers = new()
        {
            [Anonymous] = _api.CreateClient(),
            [Roles.Asesi] = (await _api.CreateUserAsync(Roles.Asesi)).Client,
            [Roles.Asesor] = (await _api.CreateUserAsync(Roles.Asesor)).Client,
            [Roles.Admin] = _api.Admin.Client,
        };
    }

    [OneTimeTearDown]
    public async Task Stop() => await _system.DisposeAsync();

    /// <summary>The roles the access table allows on <paramref name="route"/> ("METHOD /path"); none for a route it lacks.</summary>
    public static IReadOnlyCollection<string> AllowedRoles(string route) => Access.GetValueOrDefault(route) ?? [];

    /// <summary>Every operation in <c>/openapi/v1.json</c>, as "METHOD /path".</summary>
    public static async Task<List<string>> DocumentedRoutesAsync(ApiFixture api)
    {
        var document = await api.CreateClient().GetFromJsonAsync<JsonElement>("openapi/v1.json");
        return document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => $"{op.Name.ToUpperInvariant()} {path.Name}"))
            .ToList();
    }

    [Test]
    public async Task The_access_table_names_every_documented_route_and_no_other()
    {
        var documented = await DocumentedRoutesAsync(_api);
        Assert.Multiple(() =>
        {
            Assert.That(documented.Except(Access.Keys), Is.Empty, "routes without an access decision: add them to the table");
            Assert.That(Access.Keys.Except(documented), Is.Empty, "routes in the table that the document does not list");
        });
    }

    [Test]
    public async Task Every_route_refuses_every_role_it_does_not_allow_and_stores_nothing()
    {
        var before = await DatabaseFingerprint.TakeAsync(_api);
        var answers = new List<string>();
        foreach (var route in await DocumentedRoutesAsync(_api))
        {
            var allowed = Access.GetValueOrDefault(route) ?? [];
            foreach (var (role, client) in _callers)
            {
                using var response = await client.SendAsync(Request(route));
                var status = response.StatusCode;
                if (allowed.Contains(role))
                {
                    // Past the gate the answer is the route's own (400 for the empty body, 404 for the unknown id, …), never a refusal.
                    Assert.That(status, Is.Not.EqualTo(HttpStatusCode.Unauthorized).And.Not.EqualTo(HttpStatusCode.Forbidden), $"{route} as {role}");
                    Assert.That((int)status, Is.LessThan(500), $"{route} as {role}: {await response.Content.ReadAsStringAsync()}");
                }
                else
                {
                    await ProblemAssert.IsProblemAsync(response, role == Anonymous ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden);
                }

                answers.Add($"{route} as {role}: {(int)status}");
            }
        }

        TestContext.Out.WriteLine(string.Join('\n', answers));
        await DatabaseFingerprint.AssertUnchangedAsync(_api, before, "every call either refused or invalid");
    }

    [Test]
    [Description("Expired, forged (another key, alg none, HS512, edited payload), for another issuer or audience, or without exp: on every route that needs a signed-in caller the answer is 401 problem+json, even for a token that claims admin.")]
    public async Task Every_protected_route_refuses_every_bad_token_with_401_and_stores_nothing()
    {
        var admin = _api.Admin.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var now = DateTimeOffset.UtcNow;
        var bad = ForgedTokens.All(
            _api.IssueToken(_api.Admin.Id, Roles.Admin), admin, Roles.Admin, ApiFixture.SigningKey,
            expired: _api.IssueToken(_api.Admin.Id, Roles.Admin, now.AddHours(-2), now.AddMinutes(-5)));
        var documented = await DocumentedRoutesAsync(_api);
        var protectedRoutes = documented.Where(r => !AllowedRoles(r).Contains(Anonymous)).ToList();
        var openRoutes = documented.Except(protectedRoutes).ToList();
        var before = await DatabaseFingerprint.TakeAsync(_api);

        foreach (var (name, token) in bad)
        {
            var client = _api.CreateClient(token);
            foreach (var route in protectedRoutes)
            {
                using var response = await client.SendAsync(Request(route));
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), $"{route} with a token: {name}");
                await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized);
            }

            // Sign-up and sign-in ignore a bad token: the empty body is what they answer (400); the public
            // certificate check answers for the number (404: "{number}" names none).
            foreach (var route in openRoutes)
            {
                using var response = await client.SendAsync(Request(route));
                await ProblemAssert.IsProblemAsync(response, route.StartsWith("GET ", StringComparison.Ordinal) ? HttpStatusCode.NotFound : HttpStatusCode.BadRequest);
            }
        }

        await DatabaseFingerprint.AssertUnchangedAsync(_api, before, "every call was refused");
    }

    /// <summary>The route with an id that does not exist and an empty JSON object as its body.</summary>
    private static HttpRequestMessage Request(string route)
    {
        var space = route.IndexOf(' ', StringComparison.Ordinal);
        var method = new HttpMethod(route[..space]);
        var path = route[(space + 1)..].TrimStart('/').Replace("{id}", "9000000001", StringComparison.Ordinal).Replace("{docId}", "9000000001", StringComparison.Ordinal).Replace("{sessionId}", "no-such-session", StringComparison.Ordinal);
        var request = new HttpRequestMessage(method, path);
        if (method == HttpMethod.Post || method == HttpMethod.Put)
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        return request;
    }
}
