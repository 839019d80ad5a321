using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Situk.Contracts;
using Situk.Tests.Api;

namespace Situk.Tests.Accounts;

[Description("POST /admins: an admin creates another admin with the body and rules of POST /asesors.")]
public sealed class AdminCreationTests : ApiTests
{
    [Test]
    public async Task A_created_admin_signs_in_as_admin_and_the_location_is_their_user()
    {
        var email = $"admin-{Guid.NewGuid():N}@situk.test";

        using var created = await Api.Admin.Client.PostAsJsonAsync("api/v1/admins", new { fullName = "Kadek Admin", email = email.ToUpperInvariant(), password = "admin-pass-22" });

        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(body.GetProperty("role").GetString(), Is.EqualTo(Roles.Admin));
        Assert.That(body.GetProperty("email").GetString(), Is.EqualTo(email), "stored in canonical form");
        var user = await Api.Admin.Client.GetFromJsonAsync<JsonElement>(created.Headers.Location!.OriginalString.TrimStart('/'));
        Assert.That(user.GetProperty("id").GetInt64(), Is.EqualTo(body.GetProperty("id").GetInt64()));
        Assert.That(user.GetProperty("emailVerified").GetBoolean(), Is.True, "an admin vouches for the address, as for an asesor");
        using var signIn = await Api.CreateClient().PostAsJsonAsync("api/v1/auth/token", new { email, password = "admin-pass-22" });
        Assert.That((await signIn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("role").GetString(), Is.EqualTo(Roles.Admin));
    }

    [Test]
    public async Task A_taken_email_is_409_and_stores_nothing()
    {
        var asesi = await Api.CreateUserAsync(Roles.Asesi);
        var before = await Api.CountRowsAsync("users");

        using var refused = await Api.Admin.Client.PostAsJsonAsync("api/v1/admins", new { fullName = "Dup", email = asesi.Email, password = "admin-pass-22" });

        await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.Conflict);
        Assert.That(await Api.CountRowsAsync("users"), Is.EqualTo(before));
        Assert.That(await Api.ScalarAsync<string>("SELECT role FROM users WHERE id = @id", ("id", asesi.Id)), Is.EqualTo(Roles.Asesi));
    }

    [TestCase("password", "short")]
    [TestCase("email", "Eve <eve@situk.test>")]
    [TestCase("fullName", "")]
    public async Task A_body_outside_the_rules_is_400_naming_the_field_and_stores_nothing(string field, string value)
    {
        var body = new Dictionary<string, string> { ["fullName"] = "Kadek", ["email"] = $"a-{Guid.NewGuid():N}@situk.test", ["password"] = "admin-pass-22" };
        body[field] = value;
        var before = await Api.CountRowsAsync("users");

        using var refused = await Api.Admin.Client.PostAsJsonAsync("api/v1/admins", body);

        await ProblemAssert.NamesFieldAsync(refused, HttpStatusCode.BadRequest, field);
        Assert.That(await Api.CountRowsAsync("users"), Is.EqualTo(before));
    }

    [Test]
    public async Task Asesi_and_asesor_cannot_create_admins_and_nothing_is_stored()
    {
        var callers = new[] { await Api.CreateUserAsync(Roles.Asesi), await Api.CreateUserAsync(Roles.Asesor) };
        var before = await Api.CountRowsAsync("users");

        foreach (var caller in callers)
        {
            using var refused = await caller.Client.PostAsJsonAsync("api/v1/admins", new { fullName = "Me", email = $"me-{Guid.NewGuid():N}@situk.test", password = "admin-pass-22" });
            await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.Forbidden);
        }

        Assert.That(await Api.CountRowsAsync("users"), Is.EqualTo(before));
    }
}
