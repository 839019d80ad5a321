using System.Security.Claims;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Situk.Api.Auth;

/// <summary>
/// The bearer scheme's token handler: the platform's <see cref="JsonWebTokenHandler"/>, which remembers the
/// access tokens it found valid. A device or front-end sends the same token with every call for its whole
/// lifetime, and checking it (base64, the HMAC, parsing its JSON, building its claims) was the largest part of
/// authentication's cost per call (docs/benchmarks.md, "Two cuts that held"). A remembered token is the same
/// string under the same signing key, so it would check out the same way again until it expires: it is
/// forgotten at its <c>exp</c>, after which it is checked in full (with the clock skew) as before. Only valid
/// tokens are remembered; a forged or expired one is checked in full every time. What runs after validation
/// (the deactivated-user check, <see cref="Accounts.ActiveUsers"/>) runs on every call either way. Each call
/// gets its own copy of the claims, so nothing a request does to its principal reaches another.
/// </summary>
public sealed class RememberedTokens : JsonWebTokenHandler, IDisposable
{
    /// <summary>At most this many tokens are remembered (about 2 KiB each); past it, a token is checked in full.</summary>
    public const int MaxTokens = 20_000;

    /// <summary>A token unused this long is forgotten before its expiry.</summary>
    public static readonly TimeSpan IdleFor = TimeSpan.FromMinutes(10);

    private readonly MemoryCache _valid = new(new MemoryCacheOptions { SizeLimit = MaxTokens });

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        if (_valid.TryGetValue(token, out Remembered? remembered) && remembered!.Token.ValidTo > DateTime.UtcNow)
        {
            return new TokenValidationResult
            {
                IsValid = true,
                SecurityToken = remembered.Token,
                ClaimsIdentity = remembered.Identity.Clone(),
                Issuer = remembered.Token.Issuer,
                TokenType = remembered.TokenType,
            };
        }

        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is JsonWebToken { ValidTo: var validTo } jwt && validTo > DateTime.UtcNow)
        {
            _valid.Set(token, new Remembered(jwt, result.ClaimsIdentity.Clone(), result.TokenType), new MemoryCacheEntryOptions
            {
                Size = 1,
                AbsoluteExpiration = new DateTimeOffset(validTo, TimeSpan.Zero),
                SlidingExpiration = IdleFor,
            });
        }

        return result;
    }

    public void Dispose() => _valid.Dispose();

    private sealed record Remembered(JsonWebToken Token, ClaimsIdentity Identity, string? TokenType);
}
