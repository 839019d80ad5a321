using System.Security.Cryptography;
using Dapper;
using Npgsql;

namespace Situk.Api.Accounts;

/// <summary>
/// Single-use links that reset a forgotten password. The token (32 random bytes, base64url) goes out
/// only in the email; <c>password_resets</c> keeps its SHA-256, when it expires and when it was used.
/// </summary>
public static class PasswordReset
{
    public enum Outcome
    {
        Changed,
        Unknown,
        Used,
        Expired,
    }

    /// <summary>A new token for this user, stored hashed in the caller's transaction; the plain token is returned once.</summary>
    public static async Task<string> IssueAsync(NpgsqlConnection c, NpgsqlTransaction tx, long userId, DateTimeOffset expiresAt, CancellationToken ct)
    {
        var token = EmailVerification.Base64Url(RandomNumberGenerator.GetBytes(32));
        await c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO password_resets (user_id, token_hash, expires_at) VALUES (@userId, @hash, @expiresAt)",
            new { userId, hash = EmailVerification.Hash(token), expiresAt }, tx, cancellationToken: ct));
        return token;
    }

    /// <summary>
    /// Uses the token: sets the password to <paramref name="newHash"/> and spends every open link of
    /// that user, unless the token is unknown, used or expired at <paramref name="now"/> (then nothing
    /// changes). The link came to the account's address, so it also proves the address.
    /// </summary>
    public static async Task<Outcome> UseAsync(NpgsqlConnection c, string token, string newHash, DateTimeOffset now, CancellationToken ct)
    {
        await using var tx = await c.BeginTransactionAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<TokenRow>(new CommandDefinition(
            "SELECT id, user_id AS userId, expires_at AS expiresAt, used_at IS NOT NULL AS used FROM password_resets WHERE token_hash = @hash FOR UPDATE",
            new { hash = EmailVerification.Hash(token) }, tx, cancellationToken: ct));
        var outcome = row switch
        {
            null => Outcome.Unknown,
            { Used: true } => Outcome.Used,
            _ when row.ExpiresAt <= now => Outcome.Expired,
            _ => Outcome.Changed,
        };
        if (outcome == Outcome.Changed)
        {
            await c.ExecuteAsync(new CommandDefinition(
                """
                UPDATE password_resets SET used_at = @now WHERE user_id = @userId AND used_at IS NULL;
                UPDATE users SET password_hash = @newHash, email_verified_at = coalesce(email_verified_at, @now) WHERE id = @userId;
                """,
                new { now, row!.UserId, newHash }, tx, cancellationToken: ct));
        }

        await tx.CommitAsync(ct);
        return outcome;
    }

    private sealed record TokenRow(long Id, long UserId, DateTimeOffset ExpiresAt, bool Used);
}
