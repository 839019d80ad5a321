using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Situk.Contracts;
using Situk.Tests.Api;

namespace Situk.Tests.Accounts;

[Description("GET /me shows the caller's own account without the hash; POST /me/password needs the current password and the sign-up rules.")]
public sealed class MeTests : ApiTests
{
    [Test]
    public async Task Me_shows_the_callers_account_and_never_the_password_hash()
    {
        var asesi = await Api.CreateUserAsync(Roles.Asesi, fullName: "Ni Made Sari");

        using var response = await asesi.Client.GetAsync("api/v1/me");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var me = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Multiple(() =>
        {
            Assert.That(me.GetProperty("id").GetInt64(), Is.EqualTo(asesi.Id));
            Assert.That(me.GetProperty("email").GetString(), Is.EqualTo(asesi.Email));
            Assert.That(me.GetProperty("fullName").GetString(), Is.EqualTo("Ni Made Sari"));
            Assert.That(me.GetProperty("role").GetString(), Is.EqualTo(Roles.Asesi));
            Assert.That(me.GetProperty("emailVerified").GetBoolean(), Is.True);
            Assert.That(me.GetProperty("createdAt").GetDateTimeOffset(), Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(5)));
            Assert.That(me.EnumerateObject().Select(p => p.Name), Has.None.Contains("password").IgnoreCase.And.None.Contains("hash").IgnoreCase);
        });
    }

    [Test]
    public async Task An_unverified_asesi_sees_that_their_email_is_not_confirmed()
    {
        var asesi = await Api.CreateUserAsync(Roles.Asesi, verified: false);

        var me = await asesi.Client.GetFromJsonAsync<JsonElement>("api/v1/me");

        Assert.That(me.GetProperty("emailVerified").GetBoolean(), Is.False);
    }

    [Test]
    public async Task Me_without_a_token_is_401()
    {
        using var response = await Api.CreateClient().GetAsync("api/v1/me");

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task Changing_the_password_with_the_current_one_makes_the_new_one_sign_in_and_the_old_one_fail()
    {
        var asesor = await Api.CreateUserAsync(Roles.Asesor);

        using var changed = await asesor.Client.PostAsJsonAsync("api/v1/me/password", new { currentPassword = asesor.Password, newPassword = "a-new-password-9" });

        Assert.That(changed.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await changed.Content.ReadAsStringAsync());
        Assert.That(await SignInAsync(asesor.Email, "a-new-password-9"), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await SignInAsync(asesor.Email, asesor.Password), Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task A_wrong_current_password_is_403_and_changes_nothing()
    {
        var asesi = await Api.CreateUserAsync(Roles.Asesi);
        var before = await HashAsync(asesi.Id);

        using var refused = await asesi.Client.PostAsJsonAsync("api/v1/me/password", new { currentPassword = "not-my-password", newPassword = "a-new-password-9" });

        var problem = await ProblemAssert.NamesFieldAsync(refused, HttpStatusCode.Forbidden, "currentPassword");
        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Wrong current password"));
        Assert.That(await HashAsync(asesi.Id), Is.EqualTo(before));
        Assert.That(await SignInAsync(asesi.Email, asesi.Password), Is.EqualTo(HttpStatusCode.OK));
    }

    [TestCase("short")]
    [TestCase("")]
    public async Task A_new_password_outside_the_sign_up_rules_is_400_naming_it_and_changes_nothing(string newPassword)
    {
        var asesi = await Api.CreateUserAsync(Roles.Asesi);
        var before = await HashAsync(asesi.Id);

        using var refused = await asesi.Client.PostAsJsonAsync("api/v1/me/password", new { currentPassword = asesi.Password, newPassword });

        await ProblemAssert.NamesFieldAsync(refused, HttpStatusCode.BadRequest, "newPassword");
        Assert.That(await HashAsync(asesi.Id), Is.EqualTo(before));
    }

    [Test]
    public async Task A_new_password_over_128_characters_is_400_and_changes_nothing()
    {
        var asesi = await Api.CreateUserAsync(Roles.Asesi);
        var before = await HashAsync(asesi.Id);

        using var refused = await asesi.Client.PostAsJsonAsync("api/v1/me/password", new { currentPassword = asesi.Password, newPassword = new string('x', 129) });

        await ProblemAssert.NamesFieldAsync(refused, HttpStatusCode.BadRequest, "newPassword");
        Assert.That(await HashAsync(asesi.Id), Is.EqualTo(before));
    }

    private Task<string> HashAsync(long id) => Api.ScalarAsync<string>("SELECT password_hash FROM users WHERE id = @id", ("id", id));

    private async Task<HttpStatusCode> SignInAsync(string email, string password)
    {
        using var response = await Api.CreateClient().PostAsJsonAsync("api/v1/auth/token", new { email, password });
        return response.StatusCode;
    }
}
