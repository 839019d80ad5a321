using System.Net;
using System.Net.Http.Json;
using Situk.Api.Accounts;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Support;

namespace Situk.Tests.Accounts;

[Description("A forgotten password is reset by a single-use emailed link valid for one hour; the request never tells whether an address has an account.")]
public sealed class PasswordResetTests
{
    private const string PublicWebUrl = "https://lsp.example/situk/";

    private ApiFixture _api = null!;

    [OneTimeSetUp]
    public async Task Start() => _api = await ApiFixture.StartAsync(new Dictionary<string, string?>
    {
        ["Situk:PublicWebUrl"] = PublicWebUrl,
        ["Situk:Accounts:EmailInterval"] = "00:00:00",
    });

    [OneTimeTearDown]
    public async Task Stop() => await _api.DisposeAsync();

    [Test]
    public async Task Known_and_unknown_addresses_get_the_same_202_and_only_the_known_one_gets_an_email()
    {
        var asesi = await _api.CreateUserAsync(Roles.Asesi);
        var nobody = $"nobody-{Guid.NewGuid():N}@situk.test";

        using var known = await RequestAsync(asesi.Email.ToUpperInvariant());
        using var unknown = await RequestAsync(nobody);

        Assert.That(known.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That(await known.Content.ReadAsStringAsync(), Is.EqualTo(await unknown.Content.ReadAsStringAsync()));
        Assert.That(known.Headers.Location, Is.Null);
        Assert.That(await MailsToAsync(asesi.Email), Is.EqualTo(1));
        Assert.That(await MailsToAsync(nobody), Is.Zero);
        Assert.That(await _api.ScalarAsync<long>("SELECT count(*) FROM password_resets WHERE user_id = @id", ("id", asesi.Id)), Is.EqualTo(1));
    }

    [Test]
    public async Task The_link_is_absolute_on_the_public_web_url_lasts_an_hour_and_only_its_hash_is_stored()
    {
        var asesor = await _api.CreateUserAsync(Roles.Asesor);

        using var requested = await RequestAsync(asesor.Email);
        var text = await LatestMailAsync(asesor.Email);
        var token = ResetLink.TokenIn(text);

        Assert.That(text, Does.Contain($"Atur ulang kata sandi: {PublicWebUrl}reset-password#token={token}\n"));
        Assert.That(await _api.ScalarAsync<long>("SELECT count(*) FROM password_resets WHERE token_hash = sha256(convert_to(@t, 'UTF8'))", ("t", token)), Is.EqualTo(1));
        Assert.That(await _api.ScalarAsync<long>("SELECT count(*) FROM password_resets WHERE encode(token_hash, 'escape') LIKE '%' || @t || '%'", ("t", token)), Is.Zero);
        var lifetime = await _api.ScalarAsync<double>(
            "SELECT extract(epoch FROM expires_at - created_at) FROM password_resets WHERE user_id = @id", ("id", asesor.Id));
        Assert.That(lifetime, Is.EqualTo(3600).Within(60));
    }

    [Test]
    public async Task The_link_sets_the_new_password_once_and_a_reused_link_is_410_changing_nothing()
    {
        var asesi = await _api.CreateUserAsync(Roles.Asesi);
        using var requested = await RequestAsync(asesi.Email);
        var token = ResetLink.TokenIn(await LatestMailAsync(asesi.Email));

        using var first = await ConfirmAsync(token, "new-password-123");
        var afterFirst = await HashAsync(asesi.Id);
        using var again = await ConfirmAsync(token, "another-password-456");

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK), await first.Content.ReadAsStringAsync());
        Assert.That(await SignInAsync(asesi.Email, "new-password-123"), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await SignInAsync(asesi.Email, asesi.Password), Is.EqualTo(HttpStatusCode.Unauthorized));
        var problem = await ProblemAssert.NamesFieldAsync(again, HttpStatusCode.Gone, "token");
        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Reset link already used"));
        Assert.That(await HashAsync(asesi.Id), Is.EqualTo(afterFirst));
    }

    [Test]
    public async Task Using_one_link_spends_every_other_open_link_of_that_user()
    {
        var asesi = await _api.CreateUserAsync(Roles.Asesi);
        using var one = await RequestAsync(asesi.Email);
        var older = ResetLink.TokenIn(await LatestMailAsync(asesi.Email));
        using var two = await RequestAsync(asesi.Email);
        var newer = ResetLink.TokenIn(await LatestMailAsync(asesi.Email));

        using var used = await ConfirmAsync(newer, "new-password-123");
        var after = await HashAsync(asesi.Id);
        using var stale = await ConfirmAsync(older, "another-password-456");

        Assert.That(used.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await ProblemAssert.NamesFieldAsync(stale, HttpStatusCode.Gone, "token");
        Assert.That(await HashAsync(asesi.Id), Is.EqualTo(after));
    }

    [Test]
    public async Task An_expired_link_is_410_naming_the_expiry_and_changes_nothing()
    {
        var asesi = await _api.CreateUserAsync(Roles.Asesi);
        using var requested = await RequestAsync(asesi.Email);
        var token = ResetLink.TokenIn(await LatestMailAsync(asesi.Email));
        await _api.ScalarAsync<long>(
            "WITH x AS (UPDATE password_resets SET expires_at = now() - interval '1 second' WHERE user_id = @id RETURNING 1) SELECT count(*) FROM x", ("id", asesi.Id));
        var before = await HashAsync(asesi.Id);

        using var expired = await ConfirmAsync(token, "new-password-123");

        var problem = await ProblemAssert.NamesFieldAsync(expired, HttpStatusCode.Gone, "token");
        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Reset link expired"));
        Assert.That(await HashAsync(asesi.Id), Is.EqualTo(before));
        Assert.That(await _api.ScalarAsync<bool>("SELECT bool_and(used_at IS NULL) FROM password_resets WHERE user_id = @id", ("id", asesi.Id)), Is.True);
    }

    [Test]
    public async Task An_unknown_token_is_400_naming_it_and_changes_nothing()
    {
        var before = await _api.ScalarAsync<string>("SELECT string_agg(password_hash, ',' ORDER BY id) FROM users");

        using var unknown = await ConfirmAsync("a-token-nobody-was-sent", "new-password-123");

        var problem = await ProblemAssert.NamesFieldAsync(unknown, HttpStatusCode.BadRequest, "token");
        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Unknown reset link"));
        Assert.That(await _api.ScalarAsync<string>("SELECT string_agg(password_hash, ',' ORDER BY id) FROM users"), Is.EqualTo(before));
    }

    [Test]
    public async Task A_new_password_outside_the_sign_up_rules_is_400_and_leaves_the_link_usable()
    {
        var asesi = await _api.CreateUserAsync(Roles.Asesi);
        using var requested = await RequestAsync(asesi.Email);
        var token = ResetLink.TokenIn(await LatestMailAsync(asesi.Email));
        var before = await HashAsync(asesi.Id);

        using var tooShort = await ConfirmAsync(token, "short");

        await ProblemAssert.NamesFieldAsync(tooShort, HttpStatusCode.BadRequest, "newPassword");
        Assert.That(await HashAsync(asesi.Id), Is.EqualTo(before));
        using var fine = await ConfirmAsync(token, "long-enough-now");
        Assert.That(fine.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_deactivated_account_gets_no_reset_email_and_the_same_answer()
    {
        var asesi = await _api.CreateUserAsync(Roles.Asesi);
        await _api.ScalarAsync<long>("WITH x AS (UPDATE users SET deactivated_at = now() WHERE id = @id RETURNING 1) SELECT count(*) FROM x", ("id", asesi.Id));

        using var requested = await RequestAsync(asesi.Email);

        Assert.That(requested.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That(await MailsToAsync(asesi.Email), Is.Zero);
    }

    [Test]
    public async Task An_address_that_is_not_bare_is_400_naming_email()
    {
        using var refused = await RequestAsync("Eve <eve@situk.test>");

        await ProblemAssert.NamesFieldAsync(refused, HttpStatusCode.BadRequest, "email");
    }

    private Task<HttpResponseMessage> RequestAsync(string email) =>
        _api.CreateClient().PostAsJsonAsync("api/v1/accounts/password-reset", new { email });

    private Task<HttpResponseMessage> ConfirmAsync(string token, string newPassword) =>
        _api.CreateClient().PostAsJsonAsync("api/v1/accounts/password-reset/confirm", new { token, newPassword });

    private Task<long> MailsToAsync(string email) => _api.ScalarAsync<long>(
        "SELECT count(*) FROM email_outbox WHERE to_address = @email AND subject = @subject", ("email", email), ("subject", AccountNotices.ResetSubject("id")));

    private Task<string> LatestMailAsync(string email) => _api.ScalarAsync<string>(
        "SELECT text_body FROM email_outbox WHERE to_address = @email AND subject = @subject ORDER BY id DESC LIMIT 1",
        ("email", email), ("subject", AccountNotices.ResetSubject("id")));

    private Task<string> HashAsync(long id) => _api.ScalarAsync<string>("SELECT password_hash FROM users WHERE id = @id", ("id", id));

    private async Task<HttpStatusCode> SignInAsync(string email, string password)
    {
        using var response = await _api.CreateClient().PostAsJsonAsync("api/v1/auth/token", new { email, password });
        return response.StatusCode;
    }
}
