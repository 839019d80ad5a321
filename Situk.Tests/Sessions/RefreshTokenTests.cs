using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Situk.Api.Auth;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Support;

namespace Situk.Tests.Sessions;

[Description("POST /auth/token hands out a refresh token; POST /auth/refresh trades it once for a new pair; every refusal is 401 or 400 problem+json and changes nothing stored, except a reuse, which ends the whole sign-in.")]
public sealed class RefreshTokenTests
{
    private ApiFixture _api = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _api = await ApiFixture.StartAsync(new Dictionary<string, string?>
    {
        // No broker here: kicks after a reuse meet a closed port and are logged, not retried for long.
        ["Situk:Api:BrokerAdminUrl"] = "http://127.0.0.1:9",
    });

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }
    }

    [Test]
    [Description("32 random bytes as base64url, valid for RefreshTokenDays (30); only its SHA-256 is stored, in a family of its own, which the access token names as sid.")]
    public async Task Sign_in_returns_a_refresh_token_that_is_stored_only_as_its_hash()
    {
        var user = await _api.CreateUserAsync(Roles.Asesi);

        var signedIn = await SignInAsync(user);

        Assert.That(signedIn.RefreshToken, Has.Length.EqualTo(43).And.Match("^[A-Za-z0-9_-]+$"));
        Assert.That(signedIn.RefreshTokenExpiresAt, Is.EqualTo(DateTimeOffset.UtcNow.AddDays(30)).Within(TimeSpan.FromMinutes(1)));
        var stored = await _api.ScalarAsync<long>(
            "SELECT count(*) FROM refresh_tokens WHERE user_id = @u AND token_hash = @h AND family_id::text = @f AND used_at IS NULL AND revoked_at IS NULL",
            ("u", user.Id), ("h", Hash(signedIn.RefreshToken!)), ("f", Guid.ParseExact(Sid(signedIn.AccessToken), "N").ToString()));
        Assert.That(stored, Is.EqualTo(1));
        var plain = await _api.ScalarAsync<long>(
            "SELECT count(*) FROM refresh_tokens t WHERE position(@token IN t::text) > 0 OR position(@token IN encode(token_hash, 'escape')) > 0",
            ("token", signedIn.RefreshToken));
        Assert.That(plain, Is.Zero, "the token itself is never stored");
    }

    [Test]
    public async Task Refresh_returns_a_new_pair_in_the_same_sign_in_and_marks_the_old_token_used()
    {
        var user = await _api.CreateUserAsync(Roles.Asesi);
        var signedIn = await SignInAsync(user);

        using var response = await RefreshAsync(signedIn.RefreshToken);
        response.EnsureSuccessStatusCode();
        var refreshed = (await response.Content.ReadFromJsonAsync<TokenResponse>())!;

        Assert.Multiple(() =>
        {
            Assert.That(refreshed.RefreshToken, Is.Not.EqualTo(signedIn.RefreshToken));
            Assert.That(refreshed.UserId, Is.EqualTo(user.Id));
            Assert.That(refreshed.Role, Is.EqualTo(Roles.Asesi));
            Assert.That(Sid(refreshed.AccessToken), Is.EqualTo(Sid(signedIn.AccessToken)), "one sign-in, one sid");
        });
        Assert.That(await _api.ScalarAsync<long>("SELECT count(*) FROM refresh_tokens WHERE token_hash = @h AND used_at IS NOT NULL", ("h", Hash(signedIn.RefreshToken!))), Is.EqualTo(1));
        using var inbox = await _api.CreateClient(refreshed.AccessToken).GetAsync("api/v1/me/notifications");
        Assert.That(inbox.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the new access token opens the API");
        using var again = await RefreshAsync(refreshed.RefreshToken);
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the new refresh token works in turn");
    }

    [Test]
    [Description("A used refresh token presented again means a copy exists: the whole family is revoked, so the successor the thief or the device holds stops working too. The user's other sign-ins are untouched.")]
    public async Task Reused_refresh_token_revokes_its_whole_sign_in()
    {
        var user = await _api.CreateUserAsync(Roles.Asesi);
        var first = await SignInAsync(user);
        var otherDevice = await SignInAsync(user);
        using var rotated = await RefreshAsync(first.RefreshToken);
        var second = (await rotated.Content.ReadFromJsonAsync<TokenResponse>())!;

        using var reused = await RefreshAsync(first.RefreshToken);
        var problem = await ProblemAssert.IsProblemAsync(reused, HttpStatusCode.Unauthorized);
        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Refresh token already used"));

        using var successor = await RefreshAsync(second.RefreshToken);
        var revoked = await ProblemAssert.IsProblemAsync(successor, HttpStatusCode.Unauthorized);
        Assert.That(revoked.GetProperty("title").GetString(), Is.EqualTo("Signed out"));
        Assert.That(
            await _api.ScalarAsync<long>("SELECT count(*) FROM refresh_tokens WHERE family_id::text = @f AND revoked_at IS NULL", ("f", Guid.ParseExact(Sid(first.AccessToken), "N").ToString())),
            Is.Zero);
        using var other = await RefreshAsync(otherDevice.RefreshToken);
        Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.OK), "another sign-in of the same user");
    }

    [Test]
    public async Task Expired_refresh_token_is_refused_and_nothing_changes()
    {
        var user = await _api.CreateUserAsync(Roles.Asesi);
        var signedIn = await SignInAsync(user);
        await _api.ScalarAsync<long>(
            "WITH u AS (UPDATE refresh_tokens SET created_at = now() - interval '31 days', expires_at = now() - interval '1 day' WHERE token_hash = @h RETURNING 1) SELECT count(*) FROM u",
            ("h", Hash(signedIn.RefreshToken!)));
        var before = await TableAsync();

        using var response = await RefreshAsync(signedIn.RefreshToken);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Refresh token expired"));
        Assert.That(await TableAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task Unknown_refresh_token_is_refused_and_nothing_changes()
    {
        var before = await TableAsync();

        using var response = await RefreshAsync(Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32)));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Unknown refresh token"));
        Assert.That(await TableAsync(), Is.EqualTo(before));
    }

    [TestCase("{}")]
    [TestCase("{\"refreshToken\":null}")]
    [TestCase("{\"refreshToken\":\"short\"}")]
    [TestCase("{\"refreshToken\":\"!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\"}")]
    [TestCase("{\"refreshToken\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}")]
    [Description("Missing, null, too short or too long, or not base64url: 400 naming refreshToken, nothing looked up or changed.")]
    public async Task Malformed_refresh_body_is_400_naming_the_field(string body)
    {
        var before = await TableAsync();

        using var response = await _api.CreateClient().PostAsync("api/v1/auth/refresh", new StringContent(body, Encoding.UTF8, "application/json"));

        await ProblemAssert.NamesFieldAsync(response, HttpStatusCode.BadRequest, "refreshToken");
        Assert.That(await TableAsync(), Is.EqualTo(before));
    }

    [Test]
    [Description("Eight refreshes of one token at once: the UPDATE … WHERE used_at IS NULL lets exactly one through; the others present a token used by then, which is a reuse.")]
    public async Task Concurrent_refreshes_of_one_token_let_exactly_one_win()
    {
        var user = await _api.CreateUserAsync(Roles.Asesi);
        var signedIn = await SignInAsync(user);

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var response = await RefreshAsync(signedIn.RefreshToken);
            return response.StatusCode;
        }));

        Assert.That(answers.Count(s => s == HttpStatusCode.OK), Is.EqualTo(1), string.Join(", ", answers));
        Assert.That(answers.Count(s => s == HttpStatusCode.Unauthorized), Is.EqualTo(7));
        Assert.That(await _api.ScalarAsync<long>("SELECT count(*) FROM refresh_tokens WHERE user_id = @u", ("u", user.Id)), Is.EqualTo(2), "one successor, not eight");
    }

    [Test]
    [Description("The running sweeper deletes expired tokens of every user; tokens still valid stay.")]
    public async Task Sweeper_deletes_expired_refresh_tokens_only()
    {
        var user = await _api.CreateUserAsync(Roles.Asesi);
        var expired = await SignInAsync(user);
        var valid = await SignInAsync(user);
        await _api.ScalarAsync<long>(
            "WITH u AS (UPDATE refresh_tokens SET created_at = now() - interval '31 days', expires_at = now() - interval '1 day' WHERE token_hash = @h RETURNING 1) SELECT count(*) FROM u",
            ("h", Hash(expired.RefreshToken!)));

        var deleted = await _api.App.Services.GetRequiredService<RefreshTokenSweeper>().SweepOnceAsync(CancellationToken.None);

        Assert.That(deleted, Is.GreaterThanOrEqualTo(1));
        Assert.That(await _api.ScalarAsync<long>("SELECT count(*) FROM refresh_tokens WHERE token_hash = @h", ("h", Hash(expired.RefreshToken!))), Is.Zero);
        Assert.That(await _api.ScalarAsync<long>("SELECT count(*) FROM refresh_tokens WHERE token_hash = @h", ("h", Hash(valid.RefreshToken!))), Is.EqualTo(1));
        using var swept = await RefreshAsync(expired.RefreshToken);
        Assert.That(swept.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    [Description("Sign-out needs a token: without one it is 401, and a token without a sid names no sign-in (400 naming sid); neither changes anything.")]
    public async Task Sign_out_without_a_sign_in_is_refused_and_nothing_changes()
    {
        var user = await _api.CreateUserAsync(Roles.Asesi);
        await SignInAsync(user);
        var before = await TableAsync();

        using var anonymous = await _api.CreateClient().PostAsync("api/v1/auth/sign-out", null);
        using var noSid = await user.Client.PostAsync("api/v1/auth/sign-out", null);

        Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        await ProblemAssert.NamesFieldAsync(noSid, HttpStatusCode.BadRequest, "sid");
        Assert.That(await TableAsync(), Is.EqualTo(before));
    }

    [Test]
    [Description("A deactivated user gets no new token from a refresh, as at sign-in; the token is left unused, so reactivating lets the device go on.")]
    public async Task A_deactivated_users_refresh_is_401_account_deactivated_and_changes_nothing()
    {
        var user = await _api.CreateUserAsync(Roles.Asesi);
        var signedIn = await SignInAsync(user);
        using (var deactivated = await _api.Admin.Client.PostAsJsonAsync($"api/v1/users/{user.Id}/deactivation", new { }))
        {
            deactivated.EnsureSuccessStatusCode();
        }

        var before = await TableAsync();
        using var refused = await RefreshAsync(signedIn.RefreshToken);
        var problem = await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.Unauthorized);
        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Account deactivated"));
        Assert.That(await TableAsync(), Is.EqualTo(before));

        using (var reactivated = await _api.Admin.Client.DeleteAsync($"api/v1/users/{user.Id}/deactivation"))
        {
            reactivated.EnsureSuccessStatusCode();
        }

        using var again = await RefreshAsync(signedIn.RefreshToken);
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK), "reactivated, the same sign-in goes on");
    }

    internal static string Sid(string accessToken) => new JsonWebToken(accessToken).GetPayloadValue<string>("sid");

    internal static byte[] Hash(string token) => SHA256.HashData(Encoding.ASCII.GetBytes(token));

    private async Task<TokenResponse> SignInAsync(TestUser user)
    {
        using var response = await _api.CreateClient().PostAsJsonAsync("api/v1/auth/token", new { email = user.Email, password = user.Password });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<TokenResponse>())!;
    }

    private Task<HttpResponseMessage> RefreshAsync(string? refreshToken) =>
        _api.CreateClient().PostAsJsonAsync("api/v1/auth/refresh", new { refreshToken });

    /// <summary>Every row of refresh_tokens, as text: a refusal must leave it exactly as it was.</summary>
    private Task<string> TableAsync() =>
        _api.ScalarAsync<string>("SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '-') FROM refresh_tokens t");
}
