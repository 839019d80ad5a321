using System.Net;
using System.Net.Http.Json;
using System.Text;
using Situk.Api.Registrations;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Api;

[Description("Bad bodies get 400/415 problem+json naming the field at fault, and change no stored data.")]
public sealed class ValidationTests
{
    private ApiFixture _api = null!;
    private Scenario _scenario = null!;
    private TestUser _asesi = null!;
    private long _schedule;

    [OneTimeSetUp]
    public async Task Start()
    {
        _api = await ApiFixture.StartAsync();
        _scenario = new Scenario(_api);
        _asesi = await _api.CreateUserAsync(Roles.Asesi);
        var scheme = await _scenario.CreateSchemeAsync();
        _schedule = await _scenario.CreateScheduleAsync(scheme.Id);
    }

    [OneTimeTearDown]
    public async Task Stop() => await _api.DisposeAsync();

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    [Test]
    public async Task Malformed_json_is_400_not_500()
    {
        var before = await _api.CountRowsAsync();

        var response = await _asesi.Client.PostAsync("api/v1/registrations", Json("{\"scheduleId\": 1, \"apl01\": {"));

        await ProblemAssert.NamesFieldAsync(response, HttpStatusCode.BadRequest, "apl01");
        Assert.That(await _api.CountRowsAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task A_value_of_the_wrong_type_is_400_naming_the_field()
    {
        var before = await _api.CountRowsAsync();

        var response = await _api.Admin.Client.PostAsync("api/v1/schedules", Json("""{"schemeId":1,"placeId":1,"opensAt":"2026-01-01T00:00:00Z","closesAt":"2026-02-01T00:00:00Z","quota":"many"}"""));

        await ProblemAssert.NamesFieldAsync(response, HttpStatusCode.BadRequest, "quota");
        Assert.That(await _api.CountRowsAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task Missing_fields_are_400_naming_each_one()
    {
        var before = await _api.CountRowsAsync();

        var signUp = await _api.CreateClient().PostAsync("api/v1/accounts", Json("""{"email":"someone@situk.test"}"""));
        var problem = await ProblemAssert.NamesFieldAsync(signUp, HttpStatusCode.BadRequest, "fullName");
        Assert.That(problem.GetProperty("errors").TryGetProperty("password", out _), Is.True, problem.ToString());

        var verdictless = await _asesi.Client.PostAsync("api/v1/registrations", Json($$"""{"scheduleId":{{_schedule}}}"""));
        await ProblemAssert.NamesFieldAsync(verdictless, HttpStatusCode.BadRequest, "apl01");

        Assert.That(await _api.CountRowsAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task Nested_fields_are_validated_and_named_with_their_path()
    {
        var before = await _api.CountRowsAsync();

        var response = await _asesi.Client.PostAsJsonAsync("api/v1/registrations", new
        {
            scheduleId = _schedule,
            apl01 = new { fullName = "", identityNumber = "1", birthDate = "2000-01-01", address = "x", education = "SMA" },
        });

        await ProblemAssert.NamesFieldAsync(response, HttpStatusCode.BadRequest, "apl01.fullName");
        Assert.That(await _api.CountRowsAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task Oversize_strings_are_400_naming_the_field()
    {
        var before = await _api.CountRowsAsync();

        var place = await _api.Admin.Client.PostAsJsonAsync("api/v1/places", new { name = new string('x', 201), address = "Surabaya" });
        await ProblemAssert.NamesFieldAsync(place, HttpStatusCode.BadRequest, "name");
        var scheme = await _api.Admin.Client.PostAsJsonAsync("api/v1/schemes", new
        {
            code = "BIG",
            name = "Big",
            units = new[] { new { code = "U1", title = "Unit", elements = new[] { new { title = "E", criteria = new[] { new { text = new string('k', 1001) } } } } } },
        });
        await ProblemAssert.NamesFieldAsync(scheme, HttpStatusCode.BadRequest, "units[0].elements[0].criteria[0].text");

        Assert.That(await _api.CountRowsAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task A_body_that_is_not_json_is_415()
    {
        var before = await _api.CountRowsAsync();

        var response = await _api.Admin.Client.PostAsync("api/v1/places", new StringContent("name=x&address=y", Encoding.UTF8, "application/x-www-form-urlencoded"));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.That(await _api.CountRowsAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task An_empty_body_is_400()
    {
        var response = await _api.Admin.Client.PostAsync("api/v1/places", Json(""));
        await ProblemAssert.NamesFieldAsync(response, HttpStatusCode.BadRequest, "body");
    }

    [Test]
    public async Task A_missing_boolean_decision_is_400_not_a_silent_false()
    {
        var c = await _scenario.CaseAtAsync(RegistrationStatus.Submitted);

        var response = await _api.Admin.Client.PostAsJsonAsync($"{c.Path}/verification", new { note = "no decision" });

        await ProblemAssert.NamesFieldAsync(response, HttpStatusCode.BadRequest, "approved");
        Assert.That(await _api.ScalarAsync<string>("SELECT status FROM registrations WHERE id = @id", ("id", c.RegistrationId)), Is.EqualTo(RegistrationStatus.Submitted));
    }

    [Test]
    public async Task A_schedule_that_closes_before_it_opens_is_400()
    {
        var response = await _api.Admin.Client.PostAsJsonAsync("api/v1/schedules", new
        {
            schemeId = 1, placeId = 1, opensAt = DateTimeOffset.UtcNow.AddDays(2), closesAt = DateTimeOffset.UtcNow.AddDays(1), quota = 5,
        });
        await ProblemAssert.NamesFieldAsync(response, HttpStatusCode.BadRequest, "closesAt");
    }

    [Test]
    public async Task An_invalid_email_is_400()
    {
        var response = await _api.CreateClient().PostAsJsonAsync("api/v1/accounts", new { fullName = "X", email = "not-an-email", password = "password-123" });
        await ProblemAssert.NamesFieldAsync(response, HttpStatusCode.BadRequest, "email");
    }
}
