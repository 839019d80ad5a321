using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Support;

namespace Situk.Tests.Accounts;

[Description("Deactivating a user refuses their sign-in and their tokens at once; reactivating undoes it. With no broker reachable the deactivation still stands.")]
public sealed class DeactivationTests
{
    private ApiFixture _api = null!;

    [OneTimeSetUp]
    public async Task Start() => _api = await ApiFixture.StartAsync(new Dictionary<string, string?>
    {
        // No broker: the discard port refuses, so closing sockets fails fast and the answer says so.
        ["Situk:Api:BrokerAdminUrl"] = "http://127.0.0.1:9",
    });

    [OneTimeTearDown]
    public async Task Stop() => await _api.DisposeAsync();

    [Test]
    public async Task A_deactivated_user_is_refused_sign_in_with_403_naming_it_and_only_with_the_right_password()
    {
        var asesi = await _api.CreateUserAsync(Roles.Asesi);

        using var deactivated = await _api.Admin.Client.PostAsJsonAsync($"api/v1/users/{asesi.Id}/deactivation", new { reason = "Akun ganda" });
        using var rightPassword = await SignInAsync(asesi.Email, asesi.Password);
        using var wrongPassword = await SignInAsync(asesi.Email, "not-the-password");

        Assert.That(deactivated.StatusCode, Is.EqualTo(HttpStatusCode.OK), await deactivated.Content.ReadAsStringAsync());
        var body = await deactivated.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(body.GetProperty("reason").GetString(), Is.EqualTo("Akun ganda"));
        Assert.That(body.GetProperty("user").GetProperty("deactivatedAt").ValueKind, Is.EqualTo(JsonValueKind.String));
        var problem = await ProblemAssert.IsProblemAsync(rightPassword, HttpStatusCode.Forbidden);
        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Account deactivated"));
        Assert.That(problem.TryGetProperty("accessToken", out _), Is.False);
        await ProblemAssert.IsProblemAsync(wrongPassword, HttpStatusCode.Unauthorized);
        Assert.That(await _api.ScalarAsync<bool>("SELECT deactivated_at IS NOT NULL FROM users WHERE id = @id", ("id", asesi.Id)), Is.True);
    }

    [Test]
    public async Task A_token_issued_before_the_deactivation_stops_working_on_the_api_at_once()
    {
        var asesor = await _api.CreateUserAsync(Roles.Asesor);
        using var before = await asesor.Client.GetAsync("api/v1/me");
        Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the token works, and its user is now remembered as active");

        using var deactivated = await _api.Admin.Client.PostAsJsonAsync($"api/v1/users/{asesor.Id}/deactivation", new { });
        using var after = await asesor.Client.GetAsync("api/v1/me");
        using var schemes = await asesor.Client.GetAsync("api/v1/schemes");

        Assert.That(deactivated.StatusCode, Is.EqualTo(HttpStatusCode.OK), await deactivated.Content.ReadAsStringAsync());
        await ProblemAssert.IsProblemAsync(after, HttpStatusCode.Unauthorized);
        await ProblemAssert.IsProblemAsync(schemes, HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task With_the_broker_unreachable_the_deactivation_stands_and_the_answer_says_the_sockets_are_still_open()
    {
        var asesi = await _api.CreateUserAsync(Roles.Asesi);

        using var first = await _api.Admin.Client.PostAsJsonAsync($"api/v1/users/{asesi.Id}/deactivation", new { });
        var firstAt = await _api.ScalarAsync<DateTime>("SELECT deactivated_at FROM users WHERE id = @id", ("id", asesi.Id));
        using var again = await _api.Admin.Client.PostAsJsonAsync($"api/v1/users/{asesi.Id}/deactivation", new { reason = "later reason" });

        var body = await first.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(body.GetProperty("socketsClosed").GetBoolean(), Is.False);
        Assert.That(body.GetProperty("closedSessions").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK), "sending it again is how the sockets are closed once the broker is back");
        Assert.That(await _api.ScalarAsync<DateTime>("SELECT deactivated_at FROM users WHERE id = @id", ("id", asesi.Id)), Is.EqualTo(firstAt), "the first time stands");
        Assert.That(await _api.ScalarAsync<string>("SELECT coalesce(deactivation_reason, '(none)') FROM users WHERE id = @id", ("id", asesi.Id)), Is.EqualTo("(none)"), "and the first (absent) reason");
    }

    [Test]
    public async Task Reactivating_lets_the_user_sign_in_and_their_token_work_again()
    {
        var asesi = await _api.CreateUserAsync(Roles.Asesi);
        using var deactivated = await _api.Admin.Client.PostAsJsonAsync($"api/v1/users/{asesi.Id}/deactivation", new { });
        using var refused = await asesi.Client.GetAsync("api/v1/me");
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));

        using var reactivated = await _api.Admin.Client.DeleteAsync($"api/v1/users/{asesi.Id}/deactivation");
        using var me = await asesi.Client.GetAsync("api/v1/me");
        using var signIn = await SignInAsync(asesi.Email, asesi.Password);

        Assert.That(reactivated.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await reactivated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deactivatedAt").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(me.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task An_admin_cannot_deactivate_themselves_409_and_nothing_changes()
    {
        var admin = await _api.CreateUserAsync(Roles.Admin);

        using var refused = await admin.Client.PostAsJsonAsync($"api/v1/users/{admin.Id}/deactivation", new { });

        await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.Conflict);
        Assert.That(await _api.ScalarAsync<bool>("SELECT deactivated_at IS NULL FROM users WHERE id = @id", ("id", admin.Id)), Is.True);
        using var stillWorks = await admin.Client.GetAsync("api/v1/users");
        Assert.That(stillWorks.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task An_unknown_user_is_404_for_deactivation_and_reactivation()
    {
        var before = await Fingerprint();

        using var deactivate = await _api.Admin.Client.PostAsJsonAsync("api/v1/users/9000000001/deactivation", new { });
        using var reactivate = await _api.Admin.Client.DeleteAsync("api/v1/users/9000000001/deactivation");

        await ProblemAssert.IsProblemAsync(deactivate, HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(reactivate, HttpStatusCode.NotFound);
        Assert.That(await Fingerprint(), Is.EqualTo(before));
    }

    [Test]
    public async Task Asesi_and_asesor_cannot_deactivate_or_reactivate_anyone_and_nothing_changes()
    {
        var asesi = await _api.CreateUserAsync(Roles.Asesi);
        var asesor = await _api.CreateUserAsync(Roles.Asesor);
        var target = await _api.CreateUserAsync(Roles.Asesi);
        using var deactivated = await _api.Admin.Client.PostAsJsonAsync($"api/v1/users/{asesor.Id}/deactivation", new { });
        using var reactivated = await _api.Admin.Client.DeleteAsync($"api/v1/users/{asesor.Id}/deactivation");
        var before = await Fingerprint();

        foreach (var caller in new[] { asesi, asesor })
        {
            using var deactivate = await caller.Client.PostAsJsonAsync($"api/v1/users/{target.Id}/deactivation", new { });
            using var reactivate = await caller.Client.DeleteAsync($"api/v1/users/{target.Id}/deactivation");
            await ProblemAssert.IsProblemAsync(deactivate, HttpStatusCode.Forbidden);
            await ProblemAssert.IsProblemAsync(reactivate, HttpStatusCode.Forbidden);
        }

        Assert.That(await Fingerprint(), Is.EqualTo(before));
    }

    [Test]
    public async Task A_reason_over_500_characters_is_400_naming_it_and_nothing_changes()
    {
        var asesi = await _api.CreateUserAsync(Roles.Asesi);
        var before = await Fingerprint();

        using var refused = await _api.Admin.Client.PostAsJsonAsync($"api/v1/users/{asesi.Id}/deactivation", new { reason = new string('x', 501) });

        await ProblemAssert.NamesFieldAsync(refused, HttpStatusCode.BadRequest, "reason");
        Assert.That(await Fingerprint(), Is.EqualTo(before));
    }

    /// <summary>Every user's activation state, reason and password hash, in one string.</summary>
    private Task<string> Fingerprint() => _api.ScalarAsync<string>(
        "SELECT string_agg(id || ':' || coalesce(deactivated_at::text, '-') || ':' || coalesce(deactivation_reason, '-') || ':' || password_hash, ',' ORDER BY id) FROM users");

    private Task<HttpResponseMessage> SignInAsync(string email, string password) =>
        _api.CreateClient().PostAsJsonAsync("api/v1/auth/token", new { email, password });
}
