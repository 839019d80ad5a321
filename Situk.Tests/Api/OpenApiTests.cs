using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Situk.Tests.Support;

namespace Situk.Tests.Api;

[Description("The OpenAPI document is the generated form of docs/API.md: every route, with its schemas.")]
public sealed class OpenApiTests : ApiTests
{
    private static readonly (string Method, string Path)[] Routes =
    [
        ("post", "/api/v1/accounts"), ("post", "/api/v1/accounts/verify"), ("post", "/api/v1/auth/token"), ("post", "/api/v1/auth/refresh"), ("post", "/api/v1/auth/sign-out"), ("post", "/api/v1/asesors"),
        ("post", "/api/v1/accounts/password-reset"), ("post", "/api/v1/accounts/password-reset/confirm"), ("get", "/api/v1/me"), ("post", "/api/v1/me/password"),
        ("post", "/api/v1/admins"), ("get", "/api/v1/users"), ("get", "/api/v1/users/{id}"),
        ("post", "/api/v1/users/{id}/deactivation"), ("delete", "/api/v1/users/{id}/deactivation"),
        ("get", "/api/v1/places"), ("post", "/api/v1/places"), ("get", "/api/v1/places/{id}"), ("put", "/api/v1/places/{id}"), ("delete", "/api/v1/places/{id}"),
        ("get", "/api/v1/schemes"), ("post", "/api/v1/schemes"), ("get", "/api/v1/schemes/{id}"), ("put", "/api/v1/schemes/{id}"), ("delete", "/api/v1/schemes/{id}"),
        ("get", "/api/v1/schedules"), ("post", "/api/v1/schedules"), ("get", "/api/v1/schedules/{id}"),
        ("put", "/api/v1/schedules/{id}"), ("delete", "/api/v1/schedules/{id}"), ("post", "/api/v1/schedules/{id}/close"),
        ("post", "/api/v1/registrations"), ("get", "/api/v1/registrations"), ("get", "/api/v1/registrations/{id}"),
        ("post", "/api/v1/registrations/{id}/verification"), ("post", "/api/v1/registrations/{id}/assignment"),
        ("put", "/api/v1/registrations/{id}/apl02"), ("post", "/api/v1/registrations/{id}/apl02/review"),
        ("post", "/api/v1/registrations/{id}/assessment"), ("put", "/api/v1/registrations/{id}/assessment"), ("put", "/api/v1/registrations/{id}/records"), ("post", "/api/v1/registrations/{id}/verdict"),
        ("get", "/api/v1/me/notifications"), ("post", "/api/v1/me/notifications/{id}/read"), ("get", "/api/v1/me/notifications/unread-count"),
        ("post", "/api/v1/me/notifications/read-all"), ("get", "/api/v1/me/assessments"),
        ("post", "/api/v1/notifications"), ("get", "/api/v1/admin/delivery-stats"),
        ("get", "/api/v1/admin/broker/sessions"), ("get", "/api/v1/admin/broker/stats"), ("delete", "/api/v1/admin/broker/sessions/{sessionId}"),
        ("get", "/api/v1/admin/delivery-series"), ("get", "/api/v1/admin/notifications/recent"),
        ("post", "/api/v1/registrations/{id}/documents"), ("get", "/api/v1/registrations/{id}/documents"), ("put", "/api/v1/registrations/{id}/documents/{docId}"),
        ("get", "/api/v1/registrations/{id}/documents/{docId}/content"), ("post", "/api/v1/registrations/{id}/documents/{docId}/review"),
    ];

    [Test]
    [Description("Clients generated from the document must know which routes need the token and which take an Idempotency-Key.")]
    public async Task Protected_routes_name_the_bearer_scheme_and_creation_routes_the_idempotency_key()
    {
        var document = await Api.CreateClient().GetFromJsonAsync<JsonElement>("openapi/v1.json");
        var paths = document.GetProperty("paths");
        JsonElement Operation(string path, string method) => paths.GetProperty(path).GetProperty(method);
        static bool HasHeader(JsonElement op, string name) =>
            op.TryGetProperty("parameters", out var ps) && ps.EnumerateArray().Any(p => p.GetProperty("name").GetString() == name && p.GetProperty("in").GetString() == "header");

        Assert.Multiple(() =>
        {
            Assert.That(Operation("/api/v1/registrations", "post").TryGetProperty("security", out _), Is.True);
            Assert.That(Operation("/api/v1/me/notifications", "get").TryGetProperty("security", out _), Is.True);
            Assert.That(Operation("/api/v1/accounts", "post").TryGetProperty("security", out _), Is.False, "sign-up is open");
            Assert.That(Operation("/api/v1/auth/token", "post").TryGetProperty("security", out _), Is.False);
            Assert.That(HasHeader(Operation("/api/v1/registrations", "post"), "Idempotency-Key"), Is.True);
            Assert.That(HasHeader(Operation("/api/v1/notifications", "post"), "Idempotency-Key"), Is.True);
            Assert.That(HasHeader(Operation("/api/v1/places", "post"), "Idempotency-Key"), Is.False);
        });
    }

    [Test]
    public async Task The_document_lists_every_route_with_request_and_response_schemas()
    {
        var response = await Api.CreateClient().GetAsync("openapi/v1.json");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var document = await response.Content.ReadFromJsonAsync<JsonElement>();
        var paths = document.GetProperty("paths");

        foreach (var (method, path) in Routes)
        {
            Assert.That(paths.TryGetProperty(path, out var item) && item.TryGetProperty(method, out _), Is.True, $"{method.ToUpperInvariant()} {path}");
        }

        var register = paths.GetProperty("/api/v1/registrations").GetProperty("post");
        Assert.That(register.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _), Is.True);
        var responses = register.GetProperty("responses");
        Assert.That(responses.TryGetProperty("201", out _) && responses.TryGetProperty("409", out _) && responses.TryGetProperty("422", out _), Is.True, responses.ToString());
        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.That(schemas.TryGetProperty("Apl01", out _) && schemas.TryGetProperty("RegistrationDto", out _) && schemas.TryGetProperty("InboxPage", out _), Is.True);
    }

    [Test]
    [Description("This fixture runs without a broker: the link keeps retrying, which is Degraded, still ready (200).")]
    public async Task Healthz_answers_for_the_process_and_readyz_for_the_database_and_the_broker_link()
    {
        var client = Api.CreateClient();

        var health = await client.GetAsync("healthz");
        using var readyResponse = await client.GetAsync("readyz");
        var ready = await readyResponse.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Multiple(() =>
        {
            Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(readyResponse.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(ready.GetProperty("status").GetString(), Is.EqualTo("Degraded"));
            Assert.That(ready.GetProperty("checks").GetProperty("database").GetProperty("status").GetString(), Is.EqualTo("Healthy"));
            Assert.That(ready.GetProperty("checks").GetProperty("broker").GetProperty("status").GetString(), Is.EqualTo("Degraded"));
        });
    }
}
