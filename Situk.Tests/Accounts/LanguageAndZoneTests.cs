using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Situk.Contracts;
using Situk.Tests.Api;

namespace Situk.Tests.Accounts;

[Description("Each user has a language (id, en) and an IANA time zone: chosen at sign-up or defaulted, shown by GET /me, changed by PATCH /me; anything else is refused and changes nothing.")]
public sealed class LanguageAndZoneTests : ApiTests
{
    [Test]
    public async Task A_new_user_gets_Bahasa_Indonesia_and_Jakarta_time_by_default()
    {
        var asesi = await Api.CreateUserAsync(Roles.Asesi);

        var me = await asesi.Client.GetFromJsonAsync<JsonElement>("api/v1/me");

        Assert.Multiple(() =>
        {
            Assert.That(me.GetProperty("language").GetString(), Is.EqualTo("id"));
            Assert.That(me.GetProperty("timeZone").GetString(), Is.EqualTo("Asia/Jakarta"));
        });
    }

    [Test]
    public async Task Sign_up_keeps_the_language_and_zone_asked_for()
    {
        var email = $"zone-{Guid.NewGuid():N}@example.org";

        using var signUp = await Api.CreateClient().PostAsJsonAsync(
            "api/v1/accounts", new { fullName = "Yohanes Wenda", email, password = "password-123", language = "en", timeZone = "Asia/Jayapura" });

        Assert.That(signUp.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await signUp.Content.ReadAsStringAsync());
        Assert.That(await Api.ScalarAsync<string>("SELECT language || ' ' || time_zone FROM users WHERE email = @email", ("email", email)),
            Is.EqualTo("en Asia/Jayapura"));
    }

    [Test]
    public async Task Patch_me_changes_only_what_it_names()
    {
        var asesor = await Api.CreateUserAsync(Roles.Asesor);

        using var zone = await asesor.Client.PatchAsJsonAsync("api/v1/me", new { timeZone = "Asia/Makassar" });
        using var language = await asesor.Client.PatchAsJsonAsync("api/v1/me", new { language = "en" });

        Assert.That(zone.StatusCode, Is.EqualTo(HttpStatusCode.OK), await zone.Content.ReadAsStringAsync());
        var after = await language.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Multiple(() =>
        {
            Assert.That(after.GetProperty("language").GetString(), Is.EqualTo("en"));
            Assert.That(after.GetProperty("timeZone").GetString(), Is.EqualTo("Asia/Makassar"));
            Assert.That(after.GetProperty("id").GetInt64(), Is.EqualTo(asesor.Id));
        });
    }

    [TestCase("""{"language":"jv"}""", "language")]
    [TestCase("""{"language":"ID"}""", "language")]
    [TestCase("""{"timeZone":"WIB"}""", "timeZone")]
    [TestCase("""{"timeZone":"SE Asia Standard Time"}""", "timeZone")]
    [TestCase("""{"timeZone":"Asia/Atlantis"}""", "timeZone")]
    public async Task An_unknown_language_or_zone_is_400_naming_it_and_changes_nothing(string body, string field)
    {
        var asesi = await Api.CreateUserAsync(Roles.Asesi);

        using var refused = await asesi.Client.PatchAsync("api/v1/me", new StringContent(body, Encoding.UTF8, "application/json"));

        await ProblemAssert.NamesFieldAsync(refused, HttpStatusCode.BadRequest, field);
        Assert.That(await StoredAsync(asesi.Id), Is.EqualTo("id Asia/Jakarta"));
    }

    [TestCase("""{"language":7}""")]
    [TestCase("""{"timeZone":["Asia/Jakarta"]}""")]
    [TestCase("""{"language":""")]
    public async Task A_wrong_type_or_malformed_body_is_400_and_changes_nothing(string body)
    {
        var asesi = await Api.CreateUserAsync(Roles.Asesi);

        using var refused = await asesi.Client.PatchAsync("api/v1/me", new StringContent(body, Encoding.UTF8, "application/json"));

        await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.BadRequest);
        Assert.That(await StoredAsync(asesi.Id), Is.EqualTo("id Asia/Jakarta"));
    }

    [Test]
    public async Task Sign_up_with_an_unknown_zone_is_400_naming_it_and_creates_no_account()
    {
        var email = $"badzone-{Guid.NewGuid():N}@example.org";

        using var refused = await Api.CreateClient().PostAsJsonAsync(
            "api/v1/accounts", new { fullName = "Someone", email, password = "password-123", timeZone = "Mars/Olympus" });

        await ProblemAssert.NamesFieldAsync(refused, HttpStatusCode.BadRequest, "timeZone");
        Assert.That(await Api.ScalarAsync<long>("SELECT count(*) FROM users WHERE email = @email", ("email", email)), Is.Zero);
    }

    [Test]
    public async Task Patch_me_without_a_token_is_401()
    {
        using var response = await Api.CreateClient().PatchAsJsonAsync("api/v1/me", new { language = "en" });

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    private Task<string> StoredAsync(long id) =>
        Api.ScalarAsync<string>("SELECT language || ' ' || time_zone FROM users WHERE id = @id", ("id", id));
}
