using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Situk.Contracts;
using Situk.Tests.Api;

namespace Situk.Tests.Accounts;

[Description("Every 201 of the API carries a Location that a GET by someone who may see it answers 200, with the created id.")]
public sealed class LocationHeaderTests : ApiTests
{
    /// <summary>
    /// Every route that answers 201 Created (grep Created( in Situk.Api): a new one belongs here.
    /// </summary>
    [Test]
    public async Task Every_created_location_answers_200_to_a_get_for_the_created_id()
    {
        var admin = Api.Admin.Client;
        var asesi = await Api.CreateUserAsync(Roles.Asesi);
        var scheme = await Scenario.CreateSchemeAsync();
        var place = await Scenario.CreatePlaceAsync();
        var now = DateTimeOffset.UtcNow;

        var created = new List<(string Route, HttpResponseMessage Response, HttpClient Reader)>
        {
            ("POST /places", await admin.PostAsJsonAsync("api/v1/places", new { name = "TUK Bengkel", address = "Jl. Kampus, Denpasar" }), admin),
            ("POST /schemes", await admin.PostAsJsonAsync("api/v1/schemes", new
            {
                code = $"LOC-{Guid.NewGuid():N}"[..12],
                name = "Scheme for locations",
                units = new[] { new { code = "U.1", title = "Unit", elements = new[] { new { title = "E", criteria = new[] { new { text = "C" } } } } } },
            }), admin),
            ("POST /schedules", await admin.PostAsJsonAsync("api/v1/schedules", new
            {
                schemeId = scheme.Id, placeId = place, opensAt = now.AddHours(-1), closesAt = now.AddDays(1), quota = 5,
            }), admin),
            ("POST /asesors", await admin.PostAsJsonAsync("api/v1/asesors", new { fullName = "Asesor Loc", email = $"loc-{Guid.NewGuid():N}@situk.test", password = "password-123" }), admin),
            ("POST /admins", await admin.PostAsJsonAsync("api/v1/admins", new { fullName = "Admin Loc", email = $"loc-{Guid.NewGuid():N}@situk.test", password = "password-123" }), admin),
        };
        var schedule = JsonDocument.Parse(await created[2].Response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();
        created.Add(("POST /registrations", await Scenario.RegisterAsync(asesi, schedule), asesi.Client));

        foreach (var (route, response, reader) in created)
        {
            using (response)
            {
                var text = await response.Content.ReadAsStringAsync();
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), $"{route}: {text}");
                var location = response.Headers.Location;
                Assert.That(location, Is.Not.Null, route);
                Assert.That(location!.OriginalString, Does.StartWith("/api/v1/"), route);
                var id = JsonDocument.Parse(text).RootElement.GetProperty("id").GetInt64();

                using var followed = await reader.GetAsync(location.OriginalString.TrimStart('/'));

                Assert.That(followed.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{route} → GET {location}");
                Assert.That((await followed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64(), Is.EqualTo(id), $"{route} → GET {location}");
            }
        }
    }
}
