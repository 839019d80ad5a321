using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Situk.Api.Accounts;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Api;

[Description("Accounts and the access token that both the API and the broker accept.")]
public sealed class AuthTests : ApiTests
{
    [Test]
    public async Task Sign_up_creates_an_asesi_whose_password_is_stored_hashed()
    {
        var email = $"Made-{Guid.NewGuid():N}@Situk.test";

        var signUp = await Api.CreateClient().PostAsJsonAsync("api/v1/accounts", new { fullName = "Made", email, password = "password-123", phone = "+62 812 0000" });

        Assert.That(signUp.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        var row = await Api.ScalarAsync<string>("SELECT role || ' ' || password_hash FROM users WHERE email = @e", ("e", email.ToLowerInvariant()));
        Assert.That(row, Does.StartWith(Roles.Asesi + " "));
        Assert.That(row, Does.Not.Contain("password-123"));
    }

    [Test]
    public async Task The_token_carries_sub_role_issuer_audience_and_expiry_and_names_the_broker()
    {
        var asesi = await Api.CreateUserAsync(Roles.Asesi);

        var response = await Api.CreateClient().PostAsJsonAsync("api/v1/auth/token", new { email = asesi.Email.ToUpperInvariant(), password = asesi.Password });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var body = (await response.Content.ReadFromJsonAsync<TokenResponse>())!;
        var token = new JsonWebToken(body.AccessToken);
        Assert.Multiple(() =>
        {
            Assert.That(body.UserId, Is.EqualTo(asesi.Id));
            Assert.That(body.Role, Is.EqualTo(Roles.Asesi));
            Assert.That(body.BrokerUrl, Is.EqualTo("ws://127.0.0.1:5080/ws"));
            Assert.That(token.Subject, Is.EqualTo(asesi.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(token.GetPayloadValue<string>("role"), Is.EqualTo(Roles.Asesi));
            Assert.That(token.Issuer, Is.EqualTo("situk"));
            Assert.That(token.Audiences, Is.EqualTo(new[] { "situk" }));
            Assert.That(token.Alg, Is.EqualTo(SecurityAlgorithms.HmacSha256));
            Assert.That(body.ExpiresAt, Is.EqualTo(DateTimeOffset.UtcNow.AddHours(1)).Within(TimeSpan.FromMinutes(5)));
            Assert.That(new DateTimeOffset(token.ValidTo, TimeSpan.Zero), Is.EqualTo(body.ExpiresAt).Within(TimeSpan.FromSeconds(1)));
        });

        var signedIn = Api.CreateClient(body.AccessToken);
        Assert.That((await signedIn.GetAsync("api/v1/me/notifications/unread-count")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_wrong_password_or_unknown_email_is_401_problem()
    {
        var asesi = await Api.CreateUserAsync(Roles.Asesi);
        var client = Api.CreateClient();

        await ProblemAssert.IsProblemAsync(await client.PostAsJsonAsync("api/v1/auth/token", new { email = asesi.Email, password = "wrong-password" }), HttpStatusCode.Unauthorized);
        await ProblemAssert.IsProblemAsync(await client.PostAsJsonAsync("api/v1/auth/token", new { email = "nobody@situk.test", password = "whatever-1" }), HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task Requests_without_a_token_are_401_problem()
    {
        await ProblemAssert.IsProblemAsync(await Api.CreateClient().GetAsync("api/v1/me/notifications"), HttpStatusCode.Unauthorized);
        await ProblemAssert.IsProblemAsync(await Api.CreateClient().GetAsync("api/v1/schemes"), HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task An_expired_token_is_401()
    {
        var asesi = await Api.CreateUserAsync(Roles.Asesi);
        var now = DateTimeOffset.UtcNow;
        var expired = Api.IssueToken(asesi.Id, Roles.Asesi, now.AddHours(-2), now.AddHours(-1));

        await ProblemAssert.IsProblemAsync(await Api.CreateClient(expired).GetAsync("api/v1/me/notifications"), HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task A_token_signed_with_another_key_is_401()
    {
        var forged = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "situk",
            Audience = "situk",
            Expires = DateTime.UtcNow.AddHours(1),
            Claims = new Dictionary<string, object> { ["sub"] = Api.Admin.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), ["role"] = Roles.Admin },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes("an-attacker-key-that-is-long-enough-0123")), SecurityAlgorithms.HmacSha256),
        });

        await ProblemAssert.IsProblemAsync(await Api.CreateClient(forged).GetAsync("api/v1/admin/delivery-stats"), HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task A_token_whose_payload_was_edited_is_401()
    {
        var asesi = await Api.CreateUserAsync(Roles.Asesi);
        var parts = Api.IssueToken(asesi.Id, Roles.Asesi).Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace("\"asesi\"", "\"admin\"", StringComparison.Ordinal);
        var tampered = $"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}";
        var unsigned = $"{Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}")}.{parts[1]}.";

        await ProblemAssert.IsProblemAsync(await Api.CreateClient(tampered).GetAsync("api/v1/admin/delivery-stats"), HttpStatusCode.Unauthorized);
        await ProblemAssert.IsProblemAsync(await Api.CreateClient(unsigned).GetAsync("api/v1/me/notifications"), HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task The_first_admin_comes_from_configuration_and_can_sign_in()
    {
        var response = await Api.CreateClient().PostAsJsonAsync("api/v1/auth/token", new { email = ApiFixture.AdminEmail, password = ApiFixture.AdminPassword });

        var body = (await response.Content.ReadFromJsonAsync<TokenResponse>())!;
        Assert.That(body.Role, Is.EqualTo(Roles.Admin));
        Assert.That(await Api.ScalarAsync<long>("SELECT count(*) FROM users WHERE role = 'admin' AND lower(email) = lower(@e)", ("e", ApiFixture.AdminEmail)), Is.EqualTo(1));
    }

    [Test]
    public async Task An_admin_creates_asesors_and_nobody_else_can()
    {
        var email = $"asesor-{Guid.NewGuid():N}@situk.test";
        var created = await Api.Admin.Client.PostAsJsonAsync("api/v1/asesors", new { fullName = "Ketut Asesor", email, password = "password-123" });

        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That((await created.Content.ReadFromJsonAsync<AccountDto>())!.Role, Is.EqualTo(Roles.Asesor));
        var asesi = await Api.CreateUserAsync(Roles.Asesi);
        await ProblemAssert.IsProblemAsync(await asesi.Client.PostAsJsonAsync("api/v1/asesors", new { fullName = "X", email = "x" + email, password = "password-123" }), HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(await Api.CreateClient().PostAsJsonAsync("api/v1/asesors", new { fullName = "X", email = "y" + email, password = "password-123" }), HttpStatusCode.Unauthorized);
    }
}
