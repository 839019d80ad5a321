using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Situk.Tests.Support;

namespace Situk.Tests.Hostile;

/// <summary>
/// Tokens an attacker might try against the API and the broker, built from a valid one: every kind the
/// validators must refuse, by name. Only <paramref name="valid"/>'s key is the real one.
/// </summary>
internal static class ForgedTokens
{
    /// <param name="valid">A valid token for <paramref name="subject"/> as admin, issued with <paramref name="signingKey"/>.</param>
    public static Dictionary<string, string> All(string valid, string subject, string role, string signingKey, string expired)
    {
        var tokens = new TestTokens(signingKey);
        var parts = valid.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1]));
        return new Dictionary<string, string>
        {
            ["expired"] = expired,
            ["another key"] = tokens.WithWrongKey(subject, role),
            ["another issuer"] = tokens.WithWrongIssuer(subject, role),
            ["another audience"] = tokens.WithWrongAudience(subject, role),
            ["alg none"] = $"{B64("""{"alg":"none","typ":"JWT"}""")}.{parts[1]}.",
            ["alg none, signature kept"] = $"{B64("""{"alg":"none","typ":"JWT"}""")}.{parts[1]}.{parts[2]}",
            ["HS512 with the right key"] = Hs512(parts[1], signingKey),
            ["no exp"] = WithoutExpiry(subject, role, signingKey),
            ["edited role"] = $"{parts[0]}.{B64(payload.Replace($"\"{role}\"", "\"root\"", StringComparison.Ordinal))}.{parts[2]}",
            ["edited subject"] = $"{parts[0]}.{B64(payload.Replace($"\"{subject}\"", "\"999999\"", StringComparison.Ordinal))}.{parts[2]}",
            ["three dots of nothing"] = "..",
            ["not a jwt"] = "hunter2",
        };
    }

    private static string B64(string json) => Base64UrlEncoder.Encode(json);

    /// <summary>The payload signed with the real key, but with HMAC-SHA512 (the library will not, for a 40-byte key).</summary>
    private static string Hs512(string payload, string signingKey)
    {
        var signed = $"{B64("""{"alg":"HS512","typ":"JWT"}""")}.{payload}";
        var signature = HMACSHA512.HashData(Encoding.UTF8.GetBytes(signingKey), Encoding.ASCII.GetBytes(signed));
        return $"{signed}.{Base64UrlEncoder.Encode(signature)}";
    }

    /// <summary>Signed with the real key and algorithm, but without <c>exp</c>.</summary>
    private static string WithoutExpiry(string subject, string role, string signingKey) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = TestTokens.DefaultIssuer,
            Audience = TestTokens.DefaultAudience,
            Claims = new Dictionary<string, object> { ["sub"] = subject, ["role"] = role },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey)), SecurityAlgorithms.HmacSha256),
        });
}
