using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Situk.Contracts;

namespace Situk.Tests.Support;

/// <summary>
/// Mints real HMAC-SHA256 JWTs the way the API does (<c>sub</c> = user id, <c>role</c>, <c>exp</c>,
/// <c>iss</c>, <c>aud</c>; key = UTF-8 bytes of <c>Situk:Jwt:SigningKey</c>), plus the broken variants
/// every authentication test needs: expired, signed with another key, for another audience or issuer.
/// </summary>
/// <example><code>
/// var tokens = new TestTokens();                  // the key BrokerFixture configures by default
/// var token = tokens.Issue("42", Roles.Asesi);     // valid for an hour
/// var stale = tokens.Expired("42");
/// </code></example>
public sealed class TestTokens(
    string signingKey = TestTokens.DefaultSigningKey,
    string issuer = TestTokens.DefaultIssuer,
    string audience = TestTokens.DefaultAudience,
    TimeProvider? time = null)
{
    /// <summary>The signing key tests configure (<c>Situk:Jwt:SigningKey</c>); 40 bytes.</summary>
    public const string DefaultSigningKey = "situk-tests-signing-key-0123456789abcdef";

    public const string DefaultIssuer = "situk";
    public const string DefaultAudience = "situk";

    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public string SigningKey { get; } = signingKey;

    public string Issuer { get; } = issuer;

    public string Audience { get; } = audience;

    /// <summary>A valid token, for an hour unless <paramref name="lifetime"/> says otherwise.</summary>
    public string Issue(string userId, string role = Roles.Asesi, TimeSpan? lifetime = null) =>
        Create(userId, role, _time.GetUtcNow() + (lifetime ?? TimeSpan.FromHours(1)));

    /// <summary>A token that expired an hour ago.</summary>
    public string Expired(string userId, string role = Roles.Asesi) =>
        Create(userId, role, _time.GetUtcNow() - TimeSpan.FromHours(1));

    /// <summary>A well-formed token signed with a different key.</summary>
    public string WithWrongKey(string userId, string role = Roles.Asesi) =>
        Create(userId, role, _time.GetUtcNow().AddHours(1), signingKey: "not-the-situk-signing-key-0123456789-xyz");

    /// <summary>A token for another audience.</summary>
    public string WithWrongAudience(string userId, string role = Roles.Asesi) =>
        Create(userId, role, _time.GetUtcNow().AddHours(1), audience: "someone-else");

    /// <summary>A token from another issuer.</summary>
    public string WithWrongIssuer(string userId, string role = Roles.Asesi) =>
        Create(userId, role, _time.GetUtcNow().AddHours(1), issuer: "someone-else");

    /// <summary>A valid token of one device sign-in (its <c>sid</c> claim), as the API issues after sign-in and refresh.</summary>
    public string ForSignIn(string userId, string signInId, TimeSpan lifetime, string role = Roles.Asesi) =>
        Create(userId, role, _time.GetUtcNow() + lifetime, signInId: signInId);

    /// <summary>Any token at all; a null <paramref name="role"/> leaves the claim out, a null <paramref name="signInId"/> the <c>sid</c>.</summary>
    public string Create(
        string userId,
        string? role,
        DateTimeOffset expires,
        string? issuer = null,
        string? audience = null,
        string? signingKey = null,
        string? signInId = null)
    {
        var claims = new Dictionary<string, object> { ["sub"] = userId };
        if (role is not null)
        {
            claims["role"] = role;
        }

        if (signInId is not null)
        {
            claims["sid"] = signInId;
        }

        var issuedAt = (expires < _time.GetUtcNow() ? expires : _time.GetUtcNow()).AddMinutes(-1);
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            Issuer = issuer ?? Issuer,
            Audience = audience ?? Audience,
            IssuedAt = issuedAt.UtcDateTime,
            NotBefore = issuedAt.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(
                new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey ?? SigningKey)), SecurityAlgorithms.HmacSha256),
        });
    }
}
