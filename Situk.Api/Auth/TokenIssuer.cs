using System.Security.Claims;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Situk.Api.Hosting;

namespace Situk.Api.Auth;

/// <summary>
/// Issues the access token that both the API and the broker accept: an HMAC-SHA256 JWT with
/// <c>sub</c> = user id (a string), <c>role</c>, <c>iss</c>, <c>aud</c>, <c>iat</c> and <c>exp</c>.
/// </summary>
public sealed class TokenIssuer(IOptions<JwtOptions> options, TimeProvider time)
{
    private readonly JsonWebTokenHandler _handler = new();

    public static SymmetricSecurityKey SigningKey(JwtOptions jwt) => new(Encoding.UTF8.GetBytes(jwt.SigningKey));

    /// <summary>A token for this user that expires after the configured lifetime.</summary>
    public (string Token, DateTimeOffset ExpiresAt) Issue(long userId, string role)
    {
        var now = time.GetUtcNow();
        var expires = now + options.Value.Lifetime;
        return (Issue(userId, role, now, expires), expires);
    }

    /// <summary>A token with explicit times (tests use it for expired tokens).</summary>
    public string Issue(long userId, string role, DateTimeOffset issuedAt, DateTimeOffset expiresAt)
    {
        var jwt = options.Value;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = jwt.Issuer,
            Audience = jwt.Audience,
            IssuedAt = issuedAt.UtcDateTime,
            NotBefore = issuedAt.UtcDateTime,
            Expires = expiresAt.UtcDateTime,
            Subject = new ClaimsIdentity([new Claim("sub", userId.ToString(System.Globalization.CultureInfo.InvariantCulture)), new Claim("role", role)]),
            SigningCredentials = new SigningCredentials(SigningKey(jwt), SecurityAlgorithms.HmacSha256),
        };
        return _handler.CreateToken(descriptor);
    }
}
