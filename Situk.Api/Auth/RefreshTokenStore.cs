using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Situk.Api.Auth;

/// <summary>A new refresh token (shown once, stored only hashed) and the device sign-in it belongs to.</summary>
public sealed record IssuedRefreshToken(string Token, DateTimeOffset ExpiresAt, Guid FamilyId);

/// <summary>Why a refresh token was refused.</summary>
public enum RefreshRefusal
{
    /// <summary>No such token (never issued, or swept after it expired).</summary>
    Unknown,

    Expired,

    /// <summary>Its sign-in was ended: signed out, or revoked after a reuse.</summary>
    Revoked,

    /// <summary>Already used once: its whole family is now revoked.</summary>
    Reused,

    /// <summary>Its user was deactivated by an admin; the token is left as it was.</summary>
    Deactivated,
}

/// <summary>
/// What a refresh did: the new token and who it is for, or why it was refused. <see cref="FamilyId"/> and
/// <see cref="UserId"/> name the sign-in whenever the token was found (a reuse revoked that family).
/// </summary>
public sealed record RefreshOutcome(IssuedRefreshToken? Issued, long UserId, string Role, Guid FamilyId, RefreshRefusal Refusal);

/// <summary>
/// The SQL over <c>refresh_tokens</c>. A token is 32 random bytes, base64url (43 characters); the table
/// holds only its SHA-256. One sign-in starts a family; each refresh marks the presented token used and
/// adds its successor to the same family in one transaction, so of two refreshes of one token exactly
/// one wins (<c>UPDATE … WHERE used_at IS NULL RETURNING</c>).
/// </summary>
public sealed class RefreshTokenStore(NpgsqlDataSource db, IOptions<RefreshTokenOptions> options, TimeProvider time)
{
    /// <summary>The length of a refresh token's text: base64url of 32 bytes, unpadded.</summary>
    public const int TokenLength = 43;

    /// <summary>
    /// The one lookup of the user a refresh is for: the role that goes into the new access token, and
    /// whether an admin deactivated them (then no new token, as at sign-in).
    /// </summary>
    private const string UserForRefreshSql = "SELECT role, deactivated_at IS NOT NULL AS deactivated FROM users WHERE id = @userId";

    private const string UseSql = """
        UPDATE refresh_tokens SET used_at = @now
        WHERE token_hash = @hash AND used_at IS NULL AND revoked_at IS NULL AND expires_at > @now
        RETURNING family_id AS familyId, user_id AS userId
        """;

    private const string InsertSql = """
        INSERT INTO refresh_tokens (token_hash, family_id, user_id, created_at, expires_at)
        VALUES (@hash, @familyId, @userId, @now, @expiresAt)
        """;

    private const string StateSql = """
        SELECT family_id AS familyId, user_id AS userId, expires_at AS expiresAt, used_at AS usedAt, revoked_at AS revokedAt
        FROM refresh_tokens WHERE token_hash = @hash
        """;

    // Repeated until nothing is left: a refresh in flight when the first pass ran commits its successor
    // row after that pass's snapshot, and the next pass revokes it (the first waited for its row lock).
    private const string RevokeSql = """
        UPDATE refresh_tokens SET revoked_at = @now
        WHERE family_id = @familyId AND user_id = @userId AND revoked_at IS NULL
        """;

    /// <summary>True when <paramref name="token"/> has the shape of a refresh token (43 base64url characters, 32 bytes).</summary>
    public static bool IsWellFormed(string? token)
    {
        return token is { Length: TokenLength } && Base64Url.IsValid(token, out var length) && length == 32;
    }

    /// <summary>A new device sign-in for this user: a family of its own and its first refresh token.</summary>
    public async Task<IssuedRefreshToken> StartSignInAsync(NpgsqlConnection connection, long userId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var issued = NewToken(Guid.CreateVersion7(), now);
        await connection.ExecuteAsync(new CommandDefinition(InsertSql, Row(issued, userId, now), cancellationToken: ct));
        return issued;
    }

    /// <summary>
    /// Uses <paramref name="presented"/> once: its successor in the same family, or why not. A token used
    /// before revokes its whole family (the outcome then names the user, so their sockets can be closed).
    /// Every other refusal changes nothing.
    /// </summary>
    public async Task<RefreshOutcome> RotateAsync(string presented, CancellationToken ct)
    {
        var hash = Hash(presented);
        var now = time.GetUtcNow();
        await using var connection = await db.OpenConnectionAsync(ct);
        await using (var tx = await connection.BeginTransactionAsync(ct))
        {
            var used = await connection.QuerySingleOrDefaultAsync<UsedRow>(new CommandDefinition(UseSql, new { hash, now }, tx, cancellationToken: ct));
            if (used is not null)
            {
                var user = await connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(UserForRefreshSql, new { used.UserId }, tx, cancellationToken: ct));
                if (user is not { Deactivated: false })
                {
                    await tx.RollbackAsync(ct);
                    return new RefreshOutcome(null, used.UserId, "", used.FamilyId, user is null ? RefreshRefusal.Unknown : RefreshRefusal.Deactivated);
                }

                var role = user.Role;

                var issued = NewToken(used.FamilyId, now);
                await connection.ExecuteAsync(new CommandDefinition(InsertSql, Row(issued, used.UserId, now), tx, cancellationToken: ct));
                await tx.CommitAsync(ct);
                return new RefreshOutcome(issued, used.UserId, role, used.FamilyId, default);
            }
        }

        var state = await connection.QuerySingleOrDefaultAsync<StateRow>(new CommandDefinition(StateSql, new { hash }, cancellationToken: ct));
        if (state is null)
        {
            return new RefreshOutcome(null, 0, "", Guid.Empty, RefreshRefusal.Unknown);
        }

        var refusal = state switch
        {
            { RevokedAt: not null } => RefreshRefusal.Revoked,
            { UsedAt: not null } => RefreshRefusal.Reused,
            _ => RefreshRefusal.Expired,
        };
        if (refusal == RefreshRefusal.Reused)
        {
            await RevokeAsync(connection, state.FamilyId, state.UserId, ct);
        }

        return new RefreshOutcome(null, state.UserId, "", state.FamilyId, refusal);
    }

    /// <summary>Ends a device sign-in of this user: every token of the family is revoked. False when it held no live token.</summary>
    public async Task<bool> EndSignInAsync(Guid familyId, long userId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await RevokeAsync(connection, familyId, userId, ct) > 0;
    }

    private async Task<int> RevokeAsync(NpgsqlConnection connection, Guid familyId, long userId, CancellationToken ct)
    {
        var total = 0;
        for (var pass = 0; pass < 3; pass++)
        {
            var revoked = await connection.ExecuteAsync(new CommandDefinition(RevokeSql, new { now = time.GetUtcNow(), familyId, userId }, cancellationToken: ct));
            if (revoked == 0)
            {
                break;
            }

            total += revoked;
        }

        return total;
    }

    private IssuedRefreshToken NewToken(Guid familyId, DateTimeOffset now) =>
        new(Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32)), now + options.Value.RefreshTokenLifetime, familyId);

    private static object Row(IssuedRefreshToken issued, long userId, DateTimeOffset now) =>
        new { hash = Hash(issued.Token), familyId = issued.FamilyId, userId, now, expiresAt = issued.ExpiresAt };

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.ASCII.GetBytes(token));

    private sealed record UsedRow(Guid FamilyId, long UserId);

    private sealed record StateRow(Guid FamilyId, long UserId, DateTimeOffset ExpiresAt, DateTimeOffset? UsedAt, DateTimeOffset? RevokedAt);

    private sealed record UserRow(string Role, bool Deactivated);
}
