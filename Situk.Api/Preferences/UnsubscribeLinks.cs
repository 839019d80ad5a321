using Dapper;
using Npgsql;
using Situk.Api.Accounts;
using Situk.Contracts;

namespace Situk.Api.Preferences;

/// <summary>
/// One-click unsubscribe tokens (RFC 8058): 32 random bytes, base64url, one per email of an optional
/// kind. <c>unsubscribe_links</c> keeps only the SHA-256, so neither a database reader nor a forger can
/// make a working link; a link works once, until it expires.
/// </summary>
public static class UnsubscribeLinks
{
    public enum Outcome
    {
        Unsubscribed,
        Unknown,
        Used,
        Expired,
        Mandatory,
    }

    /// <summary>What a token stands for (looked up without using it).</summary>
    public sealed record Link(long UserId, string Kind, DateTimeOffset ExpiresAt, bool Used);

    /// <summary>
    /// A new token for this email, stored hashed in the relay's transaction. Composing the same email
    /// again (an SMTP retry) replaces the token: only the link of the message that went out works.
    /// </summary>
    public static async Task<string> IssueAsync(
        NpgsqlTransaction tx, long emailId, long userId, string kind, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken ct)
    {
        var token = EmailVerification.Base64Url(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await tx.Connection!.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO unsubscribe_links (email_id, user_id, kind, token_hash, created_at, expires_at)
            VALUES (@emailId, @userId, @kind, @hash, @now, @expiresAt)
            ON CONFLICT (email_id) DO UPDATE
            SET token_hash = excluded.token_hash, created_at = excluded.created_at, expires_at = excluded.expires_at, used_at = NULL
            """,
            new { emailId, userId, kind, hash = EmailVerification.Hash(token), now, expiresAt }, tx, cancellationToken: ct));
        return token;
    }

    /// <summary>The link a token names, or null for a token no email carried.</summary>
    public static Task<Link?> FindAsync(NpgsqlConnection c, NpgsqlTransaction? tx, string token, bool forUpdate, CancellationToken ct) =>
        c.QuerySingleOrDefaultAsync<Link?>(new CommandDefinition(
            "SELECT user_id AS UserId, kind AS Kind, expires_at AS ExpiresAt, used_at IS NOT NULL AS Used FROM unsubscribe_links WHERE token_hash = @hash"
                + (forUpdate ? " FOR UPDATE" : ""),
            new { hash = EmailVerification.Hash(token) }, tx, cancellationToken: ct));

    /// <summary>Whether the link may be used now; checked before anything changes.</summary>
    public static Outcome Check(Link? link, DateTimeOffset now, MandatoryEmail mandatory) => link switch
    {
        null => Outcome.Unknown,
        { Used: true } => Outcome.Used,
        _ when link.ExpiresAt <= now => Outcome.Expired,
        _ when mandatory.IsMandatory(link.Kind) || !NotificationKinds.IsKnown(link.Kind) => Outcome.Mandatory,
        _ => Outcome.Unsubscribed,
    };

    /// <summary>
    /// Uses the token: switches email off for its kind's group and spends the link, in one transaction,
    /// unless <see cref="Check"/> refuses it (then nothing changes). Returns the outcome and the link.
    /// </summary>
    public static async Task<(Outcome Outcome, Link? Link)> UseAsync(
        NpgsqlConnection c, string token, DateTimeOffset now, MandatoryEmail mandatory, CancellationToken ct)
    {
        await using var tx = await c.BeginTransactionAsync(ct);
        var link = await FindAsync(c, tx, token, forUpdate: true, ct);
        var outcome = Check(link, now, mandatory);
        if (outcome == Outcome.Unsubscribed)
        {
            await PreferenceStore.SwitchEmailOffAsync(c, tx, link!.UserId, NotificationGroups.Of(link.Kind), ct);
            await c.ExecuteAsync(new CommandDefinition(
                "UPDATE unsubscribe_links SET used_at = @now WHERE token_hash = @hash",
                new { now, hash = EmailVerification.Hash(token) }, tx, cancellationToken: ct));
        }

        await tx.CommitAsync(ct);
        return (outcome, link);
    }
}
