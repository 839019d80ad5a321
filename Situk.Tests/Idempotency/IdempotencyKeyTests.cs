using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Support;

namespace Situk.Tests.Idempotency;

[Description("Idempotency-Key on POST /registrations and POST /notifications: a retry returns the first answer and creates nothing new.")]
public sealed class IdempotencyKeyTests
{
    private ApiFixture _api = null!;
    private Scenario _scenario = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _api = await ApiFixture.StartAsync();
        _scenario = new Scenario(_api);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _api.DisposeAsync();

    [Test]
    public async Task A_retried_registration_returns_the_first_answer_and_creates_one_row()
    {
        var schedule = await _scenario.CreateScheduleAsync((await _scenario.CreateSchemeAsync()).Id);
        var asesi = await _api.CreateUserAsync(Roles.Asesi);
        var key = Guid.NewGuid().ToString();

        using var first = await RegisterAsync(asesi, schedule, key);
        var before = await _api.CountRowsAsync("registrations", "notifications", "push_outbox", "email_outbox");
        using var retry = await RegisterAsync(asesi, schedule, key);

        Assert.Multiple(async () =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.Created), "the first answer, not 409 'already registered'");
            Assert.That(retry.Headers.Location, Is.EqualTo(first.Headers.Location));
            Assert.That(retry.Headers.GetValues("Idempotent-Replayed"), Is.EqualTo(new[] { "true" }));
            Assert.That(await Json(retry), Is.EqualTo(await Json(first)));
            Assert.That(await _api.CountRowsAsync("registrations", "notifications", "push_outbox", "email_outbox"), Is.EqualTo(before));
        });
    }

    [Test]
    [Description("Two identical requests at once: the key's row lock makes the second wait, then replay.")]
    public async Task Concurrent_requests_with_one_key_create_one_registration()
    {
        var schedule = await _scenario.CreateScheduleAsync((await _scenario.CreateSchemeAsync()).Id);
        var asesi = await _api.CreateUserAsync(Roles.Asesi);
        var key = Guid.NewGuid().ToString();

        var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => RegisterAsync(asesi, schedule, key)));
        var bodies = await Task.WhenAll(answers.Select(Json));

        Assert.Multiple(async () =>
        {
            Assert.That(answers.Select(a => a.StatusCode), Is.All.EqualTo(HttpStatusCode.Created));
            Assert.That(bodies.Distinct(), Has.Exactly(1).Items);
            Assert.That(await _api.ScalarAsync<long>("SELECT count(*) FROM registrations WHERE asesi_id = @id", ("id", asesi.Id)), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task The_same_key_with_another_body_is_refused_with_422()
    {
        var scheme = await _scenario.CreateSchemeAsync();
        var first = await _scenario.CreateScheduleAsync(scheme.Id);
        var second = await _scenario.CreateScheduleAsync(scheme.Id);
        var asesi = await _api.CreateUserAsync(Roles.Asesi);
        var key = Guid.NewGuid().ToString();
        using var created = await RegisterAsync(asesi, first, key);
        var before = await _api.CountRowsAsync();

        using var reused = await RegisterAsync(asesi, second, key);

        Assert.Multiple(async () =>
        {
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(reused.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(reused.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(await _api.CountRowsAsync(), Is.EqualTo(before));
        });
    }

    [Test]
    [Description("A refused request rolls back its key with everything else, so the client can correct and retry.")]
    public async Task A_refused_request_does_not_use_up_its_key()
    {
        var scheme = await _scenario.CreateSchemeAsync();
        var closed = await _scenario.CreateScheduleAsync(scheme.Id, opensAt: DateTimeOffset.UtcNow.AddDays(1), closesAt: DateTimeOffset.UtcNow.AddDays(2));
        var asesi = await _api.CreateUserAsync(Roles.Asesi);
        var key = Guid.NewGuid().ToString();

        using var refused = await RegisterAsync(asesi, closed, key);
        using var refusedAgain = await RegisterAsync(asesi, closed, key);

        Assert.Multiple(async () =>
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(refusedAgain.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(refusedAgain.Headers.Contains("Idempotent-Replayed"), Is.False, "evaluated again, not replayed");
            Assert.That(await _api.ScalarAsync<long>("SELECT count(*) FROM idempotency_keys WHERE user_id = @id", ("id", asesi.Id)), Is.Zero);
        });
    }

    [Test]
    public async Task A_retried_admin_message_is_stored_once()
    {
        var asesi = await _api.CreateUserAsync(Roles.Asesi);
        var key = Guid.NewGuid().ToString();
        object body = new { to = new { userIds = new[] { asesi.Id } }, title = "Sekali saja", body = "Once." };

        using var first = await SendAsync(body, key);
        using var retry = await SendAsync(body, key);

        Assert.Multiple(async () =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(await Json(retry), Is.EqualTo(await Json(first)));
            Assert.That(await _api.ScalarAsync<long>("SELECT count(*) FROM notifications WHERE user_id = @id", ("id", asesi.Id)), Is.EqualTo(1));
        });
    }

    [TestCase("")]
    [TestCase("has space")]
    [TestCase("mid\ttab")]
    public async Task A_malformed_key_is_400_naming_the_header_and_stores_nothing(string key)
    {
        var asesi = await _api.CreateUserAsync(Roles.Asesi);
        var before = await _api.CountRowsAsync();

        using var response = await SendAsync(new { to = new { userIds = new[] { asesi.Id } }, title = "t", body = "b" }, key);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(JsonDocument.Parse(await Json(response)).RootElement.GetProperty("errors").TryGetProperty("Idempotency-Key", out _), Is.True);
            Assert.That(await _api.CountRowsAsync(), Is.EqualTo(before));
        });
    }

    [Test]
    public async Task An_overlong_key_is_400()
    {
        using var response = await SendAsync(new { to = new { all = true }, title = "t", body = "b" }, new string('k', 201));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    private static Task<HttpResponseMessage> RegisterAsync(TestUser asesi, long scheduleId, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/registrations")
        {
            Content = JsonContent.Create(new { scheduleId, apl01 = Scenario.Apl01(asesi.FullName) }),
        };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        return asesi.Client.SendAsync(request);
    }

    private Task<HttpResponseMessage> SendAsync(object body, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/notifications") { Content = JsonContent.Create(body) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        return _api.Admin.Client.SendAsync(request);
    }

    private static Task<string> Json(HttpResponseMessage response) => response.Content.ReadAsStringAsync();
}
