using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Situk.Broker.Options;
using Situk.Contracts;

namespace Situk.Broker.Auth;

/// <summary>
/// Checks device tokens: HMAC-SHA256 over the UTF-8 signing key, issuer, audience, a <c>sub</c>, a known
/// <c>role</c> and an <c>exp</c> in the future; an optional <c>sid</c> names the device sign-in. Used at connect
/// and for every <c>token</c> frame on an open socket. Expiry is checked against <see cref="TimeProvider"/>
/// (not the handler's clock, and with no skew) so tests can move time.
/// </summary>
internal sealed class TokenValidator
{
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly TokenValidationParameters _parameters;
    private readonly TimeProvider _time;

    public TokenValidator(IOptions<JwtOptions> options, TimeProvider time)
    {
        var jwt = options.Value;
        _time = time;
        _parameters = new TokenValidationParameters
        {
            ValidIssuer = jwt.Issuer,
            ValidAudience = jwt.Audience,
            IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(jwt.SigningKey)),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidateIssuerSigningKey = true,
            ValidateLifetime = false, // checked below against TimeProvider, with no clock skew
            RequireExpirationTime = true,
            RequireSignedTokens = true,
        };
    }

    /// <summary>The identity in <paramref name="token"/>, or null with a reason safe to log (never the token).</summary>
    public async Task<(DeviceIdentity? Identity, string Problem)> ValidateAsync(string? token)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            return (null, "no token");
        }

        if (!_handler.CanReadToken(token))
        {
            return (null, "malformed token");
        }

        var result = await _handler.ValidateTokenAsync(token, _parameters);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return (null, result.Exception?.GetType().Name ?? "invalid token");
        }

        var expires = new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero);
        if (jwt.ValidTo == DateTime.MinValue || expires <= _time.GetUtcNow())
        {
            return (null, "expired token");
        }

        if (string.IsNullOrEmpty(jwt.Subject))
        {
            return (null, "token without sub");
        }

        // The constant, not the token's copy: every session of a role shares one string.
        var role = jwt.TryGetPayloadValue<string>("role", out var claimed) ? Roles.All.FirstOrDefault(known => known == claimed) : null;
        if (role is null)
        {
            return (null, "token without a known role");
        }

        // Optional: tokens minted without a device sign-in (tools, tests) have none.
        var signInId = jwt.TryGetPayloadValue<string>("sid", out var sid) && !string.IsNullOrEmpty(sid) ? sid : null;
        return (new DeviceIdentity(jwt.Subject, role, expires, signInId), "");
    }
}
