using Dapper;
using Npgsql;

namespace Situk.Api.Accounts;

/// <summary>The SQL behind the admin's user list, <c>GET /me</c>, deactivation and password changes.</summary>
public static partial class UserStore
{
    private const string UserColumns =
        """
        id, email, full_name AS fullName, role, email_verified_at IS NOT NULL AS emailVerified,
        created_at AS createdAt, deactivated_at AS deactivatedAt, language, time_zone AS timeZone
        """;

    /// <summary>Sets what is given (null leaves a column as it is) and answers the user as now stored; null for an unknown id.</summary>
    public static Task<UserDto?> UpdateLocaleAsync(NpgsqlConnection c, long id, string? language, string? timeZone, CancellationToken ct) =>
        c.QuerySingleOrDefaultAsync<UserDto>(new CommandDefinition(
            $"""
            UPDATE users SET language = COALESCE(@language, language), time_zone = COALESCE(@timeZone, time_zone)
            WHERE id = @id
            RETURNING {UserColumns}
            """,
            new { id, language, timeZone },
            cancellationToken: ct));

    public static Task<UserDto?> LoadAsync(NpgsqlConnection c, long id, CancellationToken ct) =>
        c.QuerySingleOrDefaultAsync<UserDto>(new CommandDefinition(
            $"SELECT {UserColumns} FROM users WHERE id = @id", new { id }, cancellationToken: ct));

    /// <summary>
    /// A page of users by id after <paramref name="after"/>. <paramref name="query"/> is a contains-match
    /// on the name or the email, any case, with <c>%</c>, <c>_</c> and <c>\</c> as plain text.
    /// </summary>
    public static async Task<UserDto[]> ListAsync(NpgsqlConnection c, long after, string? role, string? query, int take, CancellationToken ct) =>
        (await c.QueryAsync<UserDto>(new CommandDefinition(
            $"""
            SELECT {UserColumns}
            FROM users
            WHERE id > @after
              AND (@role::text IS NULL OR role = @role)
              AND (@pattern::text IS NULL OR full_name ILIKE @pattern ESCAPE '\' OR email ILIKE @pattern ESCAPE '\')
            ORDER BY id
            LIMIT @take
            """,
            new { after, role, pattern = query is null ? null : "%" + EscapeLike(query) + "%", take },
            cancellationToken: ct))).ToArray();

    /// <summary>Replaces the hash only if it is still <paramref name="expectedHash"/> (no change raced this one).</summary>
    public static async Task<bool> ChangePasswordAsync(NpgsqlConnection c, long id, string expectedHash, string newHash, CancellationToken ct) =>
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE users SET password_hash = @newHash WHERE id = @id AND password_hash = @expectedHash",
            new { id, expectedHash, newHash }, cancellationToken: ct)) == 1;

    public static Task<string?> PasswordHashAsync(NpgsqlConnection c, long id, CancellationToken ct) =>
        c.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT password_hash FROM users WHERE id = @id", new { id }, cancellationToken: ct));

    /// <summary>
    /// Marks the user deactivated (an already deactivated one keeps its time and reason); the user and
    /// the stored reason, or null when there is no such user.
    /// </summary>
    public static async Task<(UserDto User, string? Reason)?> DeactivateAsync(
        NpgsqlConnection c, long id, string? reason, DateTimeOffset now, CancellationToken ct)
    {
        var reasonNow = await c.QuerySingleOrDefaultAsync<ReasonRow>(new CommandDefinition(
            """
            UPDATE users
            SET deactivation_reason = CASE WHEN deactivated_at IS NULL THEN @reason ELSE deactivation_reason END,
                deactivated_at = coalesce(deactivated_at, @now)
            WHERE id = @id
            RETURNING deactivation_reason AS reason
            """,
            new { id, reason, now }, cancellationToken: ct));
        return reasonNow is null ? null : ((await LoadAsync(c, id, ct))!, reasonNow.Reason);
    }

    /// <summary>Active again; false when there is no such user.</summary>
    public static async Task<bool> ReactivateAsync(NpgsqlConnection c, long id, CancellationToken ct) =>
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE users SET deactivated_at = NULL, deactivation_reason = NULL WHERE id = @id",
            new { id }, cancellationToken: ct)) == 1;

    /// <summary>True when the user exists and is deactivated.</summary>
    public static Task<bool> IsDeactivatedAsync(NpgsqlConnection c, long id, CancellationToken ct) =>
        c.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM users WHERE id = @id AND deactivated_at IS NOT NULL)", new { id }, cancellationToken: ct));

    /// <summary>Makes <c>%</c>, <c>_</c> and <c>\</c> in searched text match themselves under <c>ILIKE … ESCAPE '\'</c>.</summary>
    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    private sealed record ReasonRow(string? Reason);
}
