using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;

namespace Situk.Api.Accounts;

/// <summary>
/// Single-use links that prove a candidate owns their email. The token (32 random bytes, base64url)
/// goes out only in the email; <c>email_verifications</c> keeps its SHA-256, when it expires and
/// when it was used.
/// </summary>
public static class EmailVerification
{
    public enum Outcome
    {
        Verified,
        Unknown,
        Used,
        Expired,
    }

    /// <summary>A new token for this user, stored hashed in the caller's transaction; the plain token is returned once.</summary>
    public static async Task<string> IssueAsync(NpgsqlConnection c, NpgsqlTransaction tx, long userId, DateTimeOffset expiresAt, CancellationToken ct)
    {
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        await c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO email_verifications (user_id, token_hash, expires_at) VALUES (@userId, @hash, @expiresAt)",
            new { userId, hash = Hash(token), expiresAt }, tx, cancellationToken: ct));
        return token;
    }

    /// <summary>Uses the token: marks it used and its user verified, unless it is unknown, used or expired at <paramref name="now"/>.</summary>
    public static async Task<(Outcome Outcome, long UserId)> UseAsync(NpgsqlConnection c, string token, DateTimeOffset now, CancellationToken ct)
    {
        await using var tx = await c.BeginTransactionAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<TokenRow>(new CommandDefinition(
            "SELECT id, user_id AS userId, expires_at AS expiresAt, used_at IS NOT NULL AS used FROM email_verifications WHERE token_hash = @hash FOR UPDATE",
            new { hash = Hash(token) }, tx, cancellationToken: ct));
        var outcome = row switch
        {
            null => Outcome.Unknown,
            { Used: true } => Outcome.Used,
            _ when row.ExpiresAt <= now => Outcome.Expired,
            _ => Outcome.Verified,
        };
        if (outcome == Outcome.Verified)
        {
            await c.ExecuteAsync(new CommandDefinition(
                """
                UPDATE email_verifications SET used_at = @now WHERE id = @id;
                UPDATE users SET email_verified_at = @now WHERE id = @userId AND email_verified_at IS NULL;
                """,
                new { now, row!.Id, row.UserId }, tx, cancellationToken: ct));
        }

        await tx.CommitAsync(ct);
        return (outcome, row?.UserId ?? 0);
    }

    /// <summary>SHA-256 of the token's text; a token that is not even base64url hashes to nothing stored.</summary>
    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    internal static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed record TokenRow(long Id, long UserId, DateTimeOffset ExpiresAt, bool Used);
}
