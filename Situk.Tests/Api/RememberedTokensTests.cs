using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.Tokens;
using Situk.Api.Auth;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Api;

[Description("The bearer scheme remembers valid access tokens: the same answer as a full check, never for a token that no longer passes one.")]
public sealed class RememberedTokensTests
{
    private static readonly TestTokens Tokens = new();

    private static TokenValidationParameters Parameters() => new()
    {
        ValidIssuer = Tokens.Issuer,
        ValidAudience = Tokens.Audience,
        IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Tokens.SigningKey)),
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        RequireExpirationTime = true,
        ClockSkew = TimeSpan.Zero,
        NameClaimType = "sub",
        RoleClaimType = "role",
    };

    [Test]
    public async Task A_token_checked_once_is_remembered_and_each_call_gets_its_own_claims()
    {
        using var handler = new RememberedTokens { MapInboundClaims = false };
        var token = Tokens.Issue("42", Roles.Asesor);

        var first = await handler.ValidateTokenAsync(token, Parameters());
        var again = await handler.ValidateTokenAsync(token, Parameters());
        first.ClaimsIdentity.AddClaim(new Claim("role", Roles.Admin));

        Assert.Multiple(() =>
        {
            Assert.That(first.IsValid && again.IsValid, Is.True);
            Assert.That(again.SecurityToken, Is.SameAs(first.SecurityToken), "the second call is answered from memory");
            Assert.That(again.ClaimsIdentity, Is.Not.SameAs(first.ClaimsIdentity));
            Assert.That(again.ClaimsIdentity.FindFirst("sub")?.Value, Is.EqualTo("42"));
            Assert.That(again.ClaimsIdentity.Name, Is.EqualTo("42"));
            Assert.That(new ClaimsPrincipal(again.ClaimsIdentity).IsInRole(Roles.Asesor), Is.True);
            Assert.That(new ClaimsPrincipal(again.ClaimsIdentity).IsInRole(Roles.Admin), Is.False, "a claim one request added stays its own");
        });

        var third = await handler.ValidateTokenAsync(token, Parameters());
        Assert.That(third.ClaimsIdentity.FindAll("role").Select(c => c.Value), Is.EqualTo(new[] { Roles.Asesor }));
    }

    [Test]
    public async Task A_remembered_token_is_refused_once_it_expires()
    {
        using var handler = new RememberedTokens { MapInboundClaims = false };
        var expires = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 2);
        var token = Tokens.Create("42", Roles.Asesi, expires);

        var fresh = await handler.ValidateTokenAsync(token, Parameters());
        var remembered = await handler.ValidateTokenAsync(token, Parameters());
        await Task.Delay(expires - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(100));
        var expired = await handler.ValidateTokenAsync(token, Parameters());

        Assert.Multiple(() =>
        {
            Assert.That(fresh.IsValid && remembered.IsValid, Is.True);
            Assert.That(expired.IsValid, Is.False);
            Assert.That(expired.Exception, Is.InstanceOf<SecurityTokenExpiredException>());
        });
    }

    [Test]
    public async Task A_remembered_tokens_payload_or_signature_edited_is_checked_in_full_and_refused()
    {
        using var handler = new RememberedTokens { MapInboundClaims = false };
        var token = Tokens.Issue("42", Roles.Asesi);
        Assert.That((await handler.ValidateTokenAsync(token, Parameters())).IsValid, Is.True);

        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace("\"asesi\"", "\"admin\"", StringComparison.Ordinal);
        var promoted = $"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}";
        var resigned = $"{parts[0]}.{parts[1]}.{Base64UrlEncoder.Encode(new byte[32])}";
        var unsigned = $"{Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}")}.{parts[1]}.";

        foreach (var bad in new[] { promoted, resigned, unsigned, Tokens.WithWrongKey("42"), Tokens.WithWrongKey("42") })
        {
            var result = await handler.ValidateTokenAsync(bad, Parameters());
            Assert.That(result.IsValid, Is.False, bad);
        }
    }
}
