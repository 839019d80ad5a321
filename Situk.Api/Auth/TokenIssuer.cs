using System.Security.Claims;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Situk.Api.Hosting;

namespace Situk.Api.Auth;

/// <summary>
/// Issues the access token that both the API and the broker accept: an HMAC-SHA256 JWT with
/// <c>sub</c> = user id (a string), <c>role</c>, <c>iss</c>, <c>aud</c>, <c>iat</c>, <c>exp</c> and, for a
/// device sign-in, <c>sid</c> = its refresh-token family, so the broker can tell which sign-in a socket belongs to.
/// </summary>
public sealed class TokenIssuer(IOptions<JwtOptions> options, TimeProvider time)
{
    /// <summary>The claim naming the device sign-in (refresh-token family) a token was issued for.</summary>
    public const string SignInClaim = "sid";

    private readonly JsonWebTokenHandler _handler = new();

    public static SymmetricSecurityKey SigningKey(JwtOptions jwt) => new(Encoding.UTF8.GetBytes(jwt.SigningKey));

    /// <summary>A token for this user that expires after the configured lifetime.</summary>
    public (string Token, DateTimeOffset ExpiresAt) Issue(long userId, string role, Guid? signInId = null)
    {
        var now = time.GetUtcNow();
        var expires = now + options.Value.Lifetime;
        return (Issue(userId, role, now, expires, signInId), expires);
    }

    /// <summary>A token with explicit times (tests use it for expired tokens).</summary>
    public string Issue(long userId, string role, DateTimeOffset issuedAt, DateTimeOffset expiresAt, Guid? signInId = null)
    {
        var jwt = options.Value;
        List<Claim> claims = [new Claim("sub", userId.ToString(System.Globalization.CultureInfo.InvariantCulture)), new Claim("role", role)];
        if (signInId is { } sid)
        {
            claims.Add(new Claim(SignInClaim, sid.ToString("N")));
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = jwt.Issuer,
            Audience = jwt.Audience,
            IssuedAt = issuedAt.UtcDateTime,
            NotBefore = issuedAt.UtcDateTime,
            Expires = expiresAt.UtcDateTime,
            Subject = new ClaimsIdentity(claims),
            SigningCredentials = new SigningCredentials(SigningKey(jwt), SecurityAlgorithms.HmacSha256),
        };
        return _handler.CreateToken(descriptor);
    }
}
